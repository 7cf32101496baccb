// Package rpicam is the Raspberry Pi camera: it runs rpicam-raw (rpicam-apps'
// raw-frame streamer) as a supervised child process that writes unpacked
// 16-bit raw frames to its stdout, and crops, rotates and converts each frame
// to the solve image per the sensor profile (camera/rawconv). A child that
// dies, stalls or writes a bad frame is restarted with a backoff, and the
// failure streak is logged once.
package rpicam
