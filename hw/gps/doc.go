// Package gps is the GPS worker: a client of gpsd, the GPS daemon, that
// feeds the state the observer's site, the time and the receiver's status
// (fix mode, satellites seen and used).
//
// No well-kept Go gpsd client exists among the modules this project may
// use, so the client is written here against gpsd's protocol description,
// gpsd_json(5) (gpsd.io/gpsd_json.html): it sends
// ?WATCH={"enable":true,"json":true} and reads one JSON report per line,
// using TPV (mode, time, lat, lon, altMSL or the older alt, eph, epv) and
// SKY (nSat/uSat, or the satellites list and their "used" flags). The
// parser, ParseReport, rejects impossible values and is fuzzed.
//
// What reaches the state, by the state's rules (reference §2):
//   - a 2-D or 3-D fix offers the site (state.GPSFix): a manual, app,
//     configured or replayed site is kept, and a fix is taken only when
//     it is at least as good as the current one. A 2-D fix has no altitude:
//     the site keeps the last GPS altitude, or 0.
//   - the fix's time offers the shared clock (state.SetDateTime, source
//     GPS), which moves only forward; a time before EarliestTime (a
//     receiver's week-number rollover) is refused and logged once.
//   - every change of fix mode or satellite counts updates state.GPSStatus.
//
// gpsd absent, killed or restarted is normal on a finder that boots
// before its receiver: Run reconnects with capped backoff (0.5 s doubling
// to 30 s), logs the first failure and then at most one line a minute, and
// nothing else waits for it. The status reads "no gpsd" meanwhile.
//
// Package gpstest writes NMEA logs and runs gpsd's own gpsfake on them, so
// that the tests run this worker against a real gpsd.
package gps
