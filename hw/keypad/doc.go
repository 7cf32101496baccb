// Package keypad is the PiFinder's keypad: the key and event types shared
// by every input (the GPIO key matrix, a USB keyboard, the simulated keypad
// and the web page's virtual one) and the screens that consume them.
package keypad
