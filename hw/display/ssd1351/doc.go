// Package ssd1351 drives the Solomon Systech SSD1351 128×128 RGB OLED
// controller of the PiFinder (and, as the SSD1333 variant, the 176×176
// panel of rev4 boards) over a 4-wire SPI port (periph.io/x/conn/v3/spi)
// with the D/C# and RES# lines on GPIO pins.
//
// Sources for every command and value:
//   - the SSD1351 datasheet (Solomon Systech, rev 1.5), section 10 "Command
//     table";
//   - luma.oled's ssd1351 class (rm-hull/luma.oled, luma/oled/device/__init__.py
//     _init_sequence, _set_position, contrast) and its colour base class
//     (luma/oled/device/color.py: init, contrast 0xFF, clear, show; RGB565
//     "65K format 1", high byte first), which PiFinder drives with
//     bgr=True, rotate=0 at 40 MHz (brickbots/PiFinder,
//     python/PiFinder/displays.py DisplaySSD1351);
//   - PiFinder's own SSD1333 class (brickbots/PiFinder,
//     python/PiFinder/ssd1333_device.py, after the SSD1333 datasheet rev 1.1)
//     and DisplaySSD1333 (rotate=3, bgr=True, 40 MHz);
//   - PiFinder's native C driver for both panels (brickbots/PiFinder,
//     python/scripts/migration_progress.c: reset timing, 4096-byte SPI
//     chunks, remap 0x74 for both, display on after the first frame).
package ssd1351
