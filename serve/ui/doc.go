// Package ui is the PiFinder's own screens on its 128×128 (SSD1351) or
// 176×176 (SSD1333) OLED, driven by its keypad: status, targets (catalogue
// lists, keypad search, filters), object with push-to guidance, sky chart,
// alignment on a star of the solve frame, and settings.
//
// A UI holds the screen stack and the state of each screen; Key handles one
// keypad event, Draw renders the top screen for a state snapshot into a new
// *image.RGBA (red on black; the display driver applies the brightness),
// and Run ties them to a key channel and a show function at up to 10 Hz.
// A UI is owned by one goroutine.
//
// # Keys
//
// As on PiFinder: LEFT goes back, RIGHT selects or confirms, UP and DOWN
// move or scroll (held, they repeat), SQUARE is the context action. A long
// LEFT goes home to the status screen. SQUARE chords (SQUARE held, then a
// key) are shortcuts from anywhere:
//
//	SQUARE+1  status          SQUARE+5  settings
//	SQUARE+2  targets         SQUARE+6  main menu
//	SQUARE+3  chart           SQUARE+7  object screen of the current target
//	SQUARE+4  align
//
// A shortcut opens its screen on top of the status screen, so LEFT from it
// returns home. On the status screen RIGHT (or SQUARE) opens the main menu;
// in menus a digit selects the numbered row.
//
// # Screens
//
// Screen returns the current screen's name:
//
//   - "status": RA/Dec and Alt/Az of the aligned axis, constellation,
//     source (CAM, IMU, FAIL), matched stars, GPS, target, clock (local
//     time when the site has a time zone, UTC otherwise), power and time
//     source; "no solve yet" without a pointing.
//   - "menu": targets, current target, chart, align, settings, status.
//   - "targets": the catalogues Messier, NGC, IC, Caldwell, Named stars,
//     Planets, Recent, Nearby (within 10° of the pointing) and Search.
//   - "list": one catalogue, by number (or by name for stars, planets,
//     recent and nearby), with magnitudes. In a numbered catalogue digits
//     type the number ("5", "1" selects M 51): the first object with that
//     number, or else the first whose number starts with the digits, is
//     selected; a digit after DigitTimeout (2 s) starts a new number; MINUS
//     erases one. In the other lists digits are T9 keys that narrow the list.
//     SQUARE opens "filter" (kind, magnitude limit, above the horizon;
//     RIGHT/PLUS/MINUS change the row, LEFT applies). RIGHT opens the
//     object and makes it the target (state.SetTarget, Source "ui").
//   - "search": predictive T9 over the common names of the catalogue and
//     the Sun, Moon and planets: 2 abc, 3 def, 4 ghi, 5 jkl, 6 mno, 7 pqrs,
//     8 tuv, 9 wxyz, one press per letter (no multi-tap): the results are
//     the names with a word (or the whole name run together) whose key
//     sequence starts with the keys typed, so 7 4 6 4 finds "Ring Nebula".
//     Messier objects come first, then brightest first. MINUS erases a key.
//   - "object": name, kind, magnitude, size, constellation, next rise and
//     set, and the push-to guidance for the mount: per axis a filled arrow
//     and the degrees (Alt/Az: right/left and up/down; equatorial: east is
//     drawn left, north up), the separation, "IN FIELD" when the target is
//     in the solve image, "below horizon" when it is set. SQUARE marks it
//     observed (Config.Observe, notes "") and shows "logged" for 2 s.
//   - "chart": internal/chart around the aligned pointing, rolled like the
//     camera frame, with the camera field and the target; 10° wide at first;
//     UP/PLUS zoom in, DOWN/MINUS zoom out, RIGHT resets.
//   - "align": the latest solve frame with its detected stars; UP/8,
//     DOWN/2, 4 and 6 move the selection to the nearest star that way (LEFT
//     stays back), RIGHT or 5 makes the selected star's pixel the target
//     pixel (Config.Align), showing "aligned" or the error.
//   - "settings": brightness, sleep timeout, mount, lens and exposure
//     (RIGHT/PLUS next, MINUS previous, applied at once through
//     Config.Tuning; "n/a" without one), "site" (latitude ±DD.DDDD and
//     longitude ±DDD.DDDD east positive typed digit by digit, PLUS/MINUS the
//     sign, UP/DOWN the field, LEFT erases, RIGHT sets a MANUAL 3-D locked
//     site), "time" (HH MM UTC on the clock's date, a manual time) and
//     "about" (the version).
//
// While the state says asleep, Draw returns a black image.
//
// Long texts are cut to the width with "…".
//
// # Fonts and credits
//
// Body text is golang.org/x/image/font/basicfont.Face7x13 (BSD-3-Clause,
// the Go Authors), derived from the public-domain X11 misc-fixed 7x13 font;
// it has ASCII only, so °, ′, ″, ± and … are small built-in bitmaps, Greek
// letters are shown by their Latin letter and accents are dropped. Big
// digits are golang.org/x/image/font/inconsolata.Bold8x16, a bitmap
// rendering of Inconsolata (© Raph Levien and Cyreal; the typeface is under
// the SIL Open Font License 1.1, and x/image distributes the bitmaps under
// Go's BSD-style licence with their permission). The guidance arrows are
// drawn triangles, not glyphs.
package ui
