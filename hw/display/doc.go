// Package display is the PiFinder's screen: the Display interface that the
// screens draw to, implemented by the SSD1351/SSD1333 OLED driver
// (hw/display/ssd1351), by an in-memory display for simulations and the web
// page's remote view (hw/display/simdisplay), and opened on a Raspberry Pi
// by hw/display/pi.
package display
