package ssd1351

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Commands (SSD1351 datasheet section 10, table 9-1; the same codes on the
// SSD1333 where it has them).
const (
	cmdColumn       = 0x15 // set column address: start, end
	cmdRow          = 0x75 // set row address: start, end
	cmdWriteRAM     = 0x5C // then pixel data
	cmdRemap        = 0xA0 // remap and colour depth
	cmdStartLine    = 0xA1
	cmdOffset       = 0xA2
	cmdNormal       = 0xA6
	cmdFunction     = 0xAB // function select (internal VDD regulator)
	cmdOff          = 0xAE // sleep mode on
	cmdOn           = 0xAF // sleep mode off
	cmdPhase        = 0xB1 // phase 1/2 periods (precharge)
	cmdClock        = 0xB3 // front clock divider / oscillator
	cmdVSL          = 0xB4 // segment low voltage
	cmdGPIO         = 0xB5
	cmdPrecharge2   = 0xB6 // second precharge period
	cmdLinearLUT    = 0xB9 // built-in linear grey-scale table
	cmdPrechargeV   = 0xBB // precharge voltage
	cmdVCOMH        = 0xBE
	cmdContrastABC  = 0xC1 // per-channel contrast current
	cmdMasterCurent = 0xC7 // master contrast current 0..15
	cmdMux          = 0xCA // multiplex ratio
	cmdLock         = 0xFD // command lock
)

// Variant is the controller on the board.
type Variant int

const (
	// SSD1351 is the 1.5" 128×128 panel of PiFinder rev1-3.
	SSD1351 Variant = iota
	// SSD1333 is the 1.91" 176×176 panel of rev4 boards. It takes the
	// SSD1351 command set less 0xB5, 0xAB, 0xB4 and the second unlock
	// (PiFinder's ssd1333_device.py docstring), plus 0xBB and 0xB9.
	SSD1333
)

func (v Variant) String() string {
	switch v {
	case SSD1351:
		return "ssd1351"
	case SSD1333:
		return "ssd1333"
	}
	return fmt.Sprintf("variant(%d)", int(v))
}

// Size is the panel's width and height in pixels.
func (v Variant) Size() int {
	if v == SSD1333 {
		return 176
	}
	return 128
}

// Opts configures a panel. The zero value is PiFinder's SSD1351 setup.
type Opts struct {
	Variant Variant
	// Rotate turns the image clockwise by Rotate quarter turns before it is
	// sent (luma.core's rotate, done in software): PiFinder uses 0 on the
	// SSD1351 and 3 on the SSD1333.
	Rotate int
	// RGB sends the colour channels in the controller's native A-B-C order.
	// PiFinder's panels are wired BGR (luma bgr=True: remap bit A[2] set),
	// so the default (false) is what they need.
	RGB bool
}

// DefaultOpts is PiFinder's configuration of the variant.
func DefaultOpts(v Variant) Opts {
	o := Opts{Variant: v}
	if v == SSD1333 {
		o.Rotate = 3 // displays.py DisplaySSD1333: rotate=3
	}
	return o
}

// Speed is the SPI clock PiFinder uses for both panels (displays.py
// bus_speed_hz=40000000; migration_progress.c SPI_SPEED).
const Speed = 40 * physic.MegaHertz

// defaultChunk is the Linux spidev default bufsiz (4096 bytes), which
// PiFinder's C driver and luma's spi class also chunk to.
const defaultChunk = 4096

// Dev is an SSD1351 or SSD1333 panel. It implements display.Display; its
// methods must not be called concurrently (one drawing goroutine owns it).
type Dev struct {
	c      spi.Conn
	dc     gpio.PinOut
	rst    gpio.PinOut
	opts   Opts
	n      int // panel side in pixels
	chunk  int
	buf    []byte // RGB565 frame, big-endian
	mu     sync.Mutex
	closed bool
}

// New resets and initialises the panel on c (an SPI connection at up to
// Speed, mode 0, 8 bits) with dc on the D/C# line and rst (may be nil or
// gpio.INVALID when RES# is tied high) on RES#. It clears the panel and
// turns it on at full brightness, as luma does.
func New(c spi.Conn, dc, rst gpio.PinOut, opts Opts) (*Dev, error) {
	if c == nil || dc == nil || dc == gpio.INVALID {
		return nil, errors.New("ssd1351: SPI connection and D/C pin are required")
	}
	if opts.Variant != SSD1351 && opts.Variant != SSD1333 {
		return nil, fmt.Errorf("ssd1351: unknown variant %d", int(opts.Variant))
	}
	if opts.Rotate < 0 || opts.Rotate > 3 {
		return nil, fmt.Errorf("ssd1351: rotate %d not in 0..3", opts.Rotate)
	}
	if rst == gpio.INVALID {
		rst = nil
	}
	n := opts.Variant.Size()
	d := &Dev{c: c, dc: dc, rst: rst, opts: opts, n: n, chunk: defaultChunk, buf: make([]byte, 2*n*n)}
	if l, ok := c.(conn.Limits); ok && l.MaxTxSize() > 0 {
		d.chunk = l.MaxTxSize()
	}
	if err := d.init(); err != nil {
		return nil, fmt.Errorf("%s: init: %w", opts.Variant, err)
	}
	return d, nil
}

func (d *Dev) init() error {
	if d.rst != nil {
		// Reset pulse as PiFinder's migration_progress.c oled_reset: high,
		// low, high, 10 ms each (datasheet: RES# low ≥ 2 µs, then wait).
		for _, l := range []gpio.Level{gpio.High, gpio.Low, gpio.High} {
			if err := d.rst.Out(l); err != nil {
				return fmt.Errorf("reset pin: %w", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	remap := byte(0x70) // 65k colour, COM split odd/even, COM scan reversed
	if !d.opts.RGB {
		remap |= 0x04 // C-B-A colour order (luma bgr=True)
	}
	end := byte(d.n - 1)
	var seq [][]byte
	if d.opts.Variant == SSD1351 {
		// luma.oled ssd1351._init_sequence, in its order.
		seq = [][]byte{
			{cmdLock, 0x12}, // unlock the MCU interface
			{cmdLock, 0xB1}, // make A2, B1, B3, BB, BE, C1 accessible
			{cmdOff},
			{cmdClock, 0xF1}, // oscillator max, divide by 2
			{cmdMux, 0x7F},   // 128 lines
			{cmdColumn, 0, end},
			{cmdRow, 0, end},
			{cmdRemap, remap},
			{cmdStartLine, 0},
			{cmdOffset, 0},
			{cmdGPIO, 0},
			{cmdFunction, 0x01},        // internal VDD regulator
			{cmdPhase, 0x32},           // phase 1 = 5 DCLKs, phase 2 = 3 DCLKs
			{cmdVSL, 0xA0, 0xB5, 0x55}, // external VSL
			{cmdVCOMH, 0x05},           // 0.82 × VCC
			{cmdMasterCurent, 0x0F},    // no reduction
			{cmdPrecharge2, 0x01},      // 1 DCLK
			{cmdNormal},
		}
	} else {
		// PiFinder's ssd1333_device.py _init_sequence.
		seq = [][]byte{
			{cmdLock, 0x12},
			{cmdOff},
			{cmdClock, 0xF1},
			{cmdMux, 0xAF}, // 176 lines
			{cmdColumn, 0, end},
			{cmdRow, 0, end},
			{cmdRemap, remap},
			{cmdStartLine, 0},
			{cmdOffset, 0},
			{cmdPhase, 0x32},
			{cmdPrechargeV, 0x17}, // 0.40 × VCC
			{cmdVCOMH, 0x05},
			{cmdMasterCurent, 0x0F},
			{cmdPrecharge2, 0x08}, // 8 DCLKs
			{cmdLinearLUT},
			{cmdNormal},
		}
	}
	// luma's colour device then sets contrast 0xFF, clears and shows.
	seq = append(seq, []byte{cmdContrastABC, 0xFF, 0xFF, 0xFF})
	for _, s := range seq {
		if err := d.command(s[0], s[1:]...); err != nil {
			return err
		}
	}
	clear(d.buf)
	if err := d.flush(); err != nil {
		return err
	}
	return d.command(cmdOn)
}

// command sends one command byte with D/C# low and its arguments with D/C#
// high, as luma's ssd1351.command.
func (d *Dev) command(cmd byte, args ...byte) error {
	if err := d.dc.Out(gpio.Low); err != nil {
		return fmt.Errorf("D/C pin: %w", err)
	}
	if err := d.c.Tx([]byte{cmd}, nil); err != nil {
		return fmt.Errorf("command %#02x: %w", cmd, err)
	}
	if len(args) == 0 {
		return nil
	}
	return d.data(args)
}

// data sends b with D/C# high, in chunks the port accepts.
func (d *Dev) data(b []byte) error {
	if err := d.dc.Out(gpio.High); err != nil {
		return fmt.Errorf("D/C pin: %w", err)
	}
	for len(b) > 0 {
		n := min(len(b), d.chunk)
		if err := d.c.Tx(b[:n], nil); err != nil {
			return fmt.Errorf("data: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// flush writes d.buf to the whole panel: window, write RAM, pixels
// (luma ssd1351._set_position then data).
func (d *Dev) flush() error {
	end := byte(d.n - 1)
	if err := d.command(cmdColumn, 0, end); err != nil {
		return err
	}
	if err := d.command(cmdRow, 0, end); err != nil {
		return err
	}
	if err := d.command(cmdWriteRAM); err != nil {
		return err
	}
	return d.data(d.buf)
}

// Bounds implements display.Display.
func (d *Dev) Bounds() image.Rectangle { return image.Rect(0, 0, d.n, d.n) }

// Draw implements display.Display: it converts img to RGB565 (rotated as
// configured) and writes the whole frame.
func (d *Dev) Draw(img image.Image) error {
	if img == nil {
		return errors.New("ssd1351: nil image")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errors.New("ssd1351: draw after close")
	}
	Convert(d.buf, d.n, img, d.opts.Rotate)
	if err := d.flush(); err != nil {
		return fmt.Errorf("%s: draw: %w", d.opts.Variant, err)
	}
	return nil
}

// SetBrightness implements display.Display as PiFinder's displays.py
// set_brightness: levels 0..15 scale the master current (0xC7) and the
// contrast together, for a dimmer floor than contrast alone gives; above,
// the master current is full and the contrast (0xC1, all channels) is the
// level.
func (d *Dev) SetBrightness(level int) error {
	if level < 0 || level > 255 {
		return fmt.Errorf("%s: brightness %d out of range 0..255", d.opts.Variant, level)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errors.New("ssd1351: brightness after close")
	}
	master := byte(0x0F)
	if level <= 15 {
		master = byte(level)
	}
	l := byte(level)
	if err := d.command(cmdMasterCurent, master); err != nil {
		return fmt.Errorf("%s: brightness: %w", d.opts.Variant, err)
	}
	if err := d.command(cmdContrastABC, l, l, l); err != nil {
		return fmt.Errorf("%s: brightness: %w", d.opts.Variant, err)
	}
	return nil
}

// Close implements display.Display: it turns the panel off (0xAE, sleep
// mode: the RAM is kept). It does not close the SPI port, which the caller
// opened. Calling it again does nothing.
func (d *Dev) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	if err := d.command(cmdOff); err != nil {
		return fmt.Errorf("%s: off: %w", d.opts.Variant, err)
	}
	return nil
}
