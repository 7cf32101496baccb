// Package keypad is the PiFinder's keypad: the key and event types shared
// by every input (the GPIO key matrix, a USB keyboard, the simulated keypad
// and the web page's virtual one) and the screens that consume them.
//
// Inputs: Matrix scans PiFinder's 5×4 GPIO matrix at 60 Hz with a two-scan
// debounce (hw/keypad/pikeypad opens it on a Pi); Evdev reads a USB
// keyboard's /dev/input/event* device (EvdevKeymap); Channel is fed by the
// program. All three apply the same rules (see tracker.go): a key reports
// at release, Long once held over LongPress, up/down repeat, SQUARE+key
// chords. Backlight drives the keypad's PWM backlight through sysfs.
package keypad
