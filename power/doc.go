// Package power owns the awake/asleep machine of the PiFinder (the device
// falls asleep after an inactivity timeout and wakes on a key press or on
// IMU motion; the waking key is swallowed) and the Pacer, which replaces the
// Python version's sleep-for-framerate helper: it caps a worker loop at
// 30 Hz while awake, slows it to one tick per half second while asleep, and
// returns at once with the context's cause when the pipeline stops.
package power
