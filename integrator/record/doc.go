// Package record records integrator sessions to JSON lines and replays them
// through the same integrator.Core the live loop uses, so a replay
// reproduces the recorded estimates exactly.
//
// A recording is one JSON object per line:
//
//	{"type":"header","header":{"version":1,"screen_direction":"right","deadband_deg":0.06,...}}
//	{"type":"tick","tick":{...integrator.Tick...}}
//	{"type":"estimate","estimate":{...state.Estimate...}}
//
// Ticks are recorded only when they carry a solve or a new IMU sample (the
// others change nothing); each tick's published estimates follow it.
//
// Each line is written whole, with one Write. A session stopped while
// writing one (a full disk, a power cut) leaves a recording whose last line
// is cut off: the Recorder cuts a file back to its last whole line when a
// write fails, and Replay ignores a cut-off last line (ErrTruncated). Damage
// anywhere else is an error naming the line.
package record
