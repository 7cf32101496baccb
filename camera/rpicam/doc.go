// Package rpicam is the Raspberry Pi camera. It has two backends, both
// supervised child processes in a process group of their own, restarted
// with a backoff that doubles per failure (the streak logged once), and
// both cropping, rotating and converting each raw frame to the solve image
// per the sensor profile (camera/rawconv):
//
//   - Picamera2 (the default) runs an embedded Python 3 helper
//     (HelperScript) that drives the camera through picamera2, the camera
//     library of Raspberry Pi OS and of PiFinder itself. Exposure and gain
//     change live through picamera2's set_controls, as PiFinder's
//     auto-exposure needs at every step: no restart, the new values in the
//     frames a couple of frames later. Each frame carries the sensor's
//     timestamp and the exposure and gain actually used.
//   - Camera runs rpicam-raw, rpicam-apps' raw streamer, which has no live
//     controls: a settings change restarts it. It is the fallback where
//     picamera2 is missing.
//
// Neither assumes the stream's layout. libcamera pads rows (32-byte
// alignment on a Pi 4's Unicam, 64 on a Pi 5), and a Pi 5's front end
// delivers every unpacked mode as 16-bit words with the sample at the top;
// the geometry and the libcamera format name come from rpicam-raw's
// "Raw stream:" stderr line or from each helper frame header, and
// StreamInfo.Layout maps them to rawconv's layout. Packed and compressed
// formats are refused with an error naming the format.
//
// # The helper protocol
//
// The binary starts `python3 -c <HelperScript> --width W --height H
// --format F --exposure-us E --gain G --camera I`. For each line it writes
// to the helper's stdin, {"id":N,"exposure_us":E,"gain":G}, the helper
// applies the settings if they changed and answers with exactly one frame
// on its stdout: a 96-byte little-endian header (see FrameHeader and
// protocol.go: magic "PFCH", version, header length, sequence, command id,
// libcamera SensorTimestamp, the helper's CLOCK_MONOTONIC when it read the
// command and when it wrote the header, ExposureTime, AnalogueGain, width,
// height, stride, payload length, format name) and stride × height bytes
// of raw rows. Its stderr carries diagnostics; "ERROR: ..." precedes a
// failure exit. It ends when its stdin closes. One command is outstanding
// at a time, so a frame that answers another id means the stream is out of
// step, and the helper is restarted.
//
// Request-response rather than streaming: asleep, PiFinder takes one frame
// per 30 s, and a stream would fill the pipe and the camera's buffers with
// frames nobody wants. What picamera2 and libcamera still hold from before
// a request is told apart by the timestamp: a frame that ended more than a
// frame period before the helper was asked is dropped, as is a frame still
// taken with the previous settings (up to a few frames after a change).
//
// Timestamps: SensorTimestamp is the start of readout, the end of the
// first row's exposure, per picamera2's own tests. libcamera documents it
// as CLOCK_BOOTTIME; the Raspberry Pi stack stamps it from the V4L2 buffer,
// on CLOCK_MONOTONIC, which picamera2's capture_request(flush=True)
// compares it with; the two clocks differ only after a suspend, which a Pi
// does not do. The helper reads its own CLOCK_MONOTONIC just before writing
// the header, so the frame's age at that moment, subtracted from the
// binary's wall clock when the header arrives, places the exposure on the
// wall clock whichever clock both are on.
package rpicam
