"""A stand-in for picamera2, for testing PiFinder's picamera2 helper
(camera/rpicam/picamera2_helper.py) without a camera. Only what the helper
uses exists: Picamera2(index), create_still_configuration, configure,
camera_configuration, set_controls, start, capture_request (with
get_metadata, make_buffer, release), stop, close.

It behaves as the Raspberry Pi stack does where the helper depends on it:

  FAKE_PICAM_PI=4 (default)  a Pi 4's Unicam: the raw format asked for is
                             kept, samples in the low bits, rows padded to
                             32 bytes (bcm2835-unicam BPL_ALIGNMENT)
  FAKE_PICAM_PI=5            a Pi 5's PiSP front end: an unpacked format is
                             turned into its 16-bit form (R10 -> R16,
                             SRGGB12 -> SRGGB16; libcamera pisp.cpp
                             platformValidate), a packed one into
                             <order>_PISP_COMP1, samples at the top of the
                             word, rows padded to 64 bytes

Frames are produced every FAKE_PICAM_PERIOD_MS (default: the exposure, at
least 5 ms) on a thread, stamped with SensorTimestamp = time.monotonic_ns()
(the start of readout, which picamera2 treats as the end of the exposure)
and with the ExposureTime and AnalogueGain in force: a set_controls call
takes effect FAKE_PICAM_DELAY frames later (default 2, libcamera's delayed
controls), the exposure rounded to a 15 us line. Completed frames wait in a
queue (none with queue=False, as picamera2 holds none then); with
FAKE_PICAM_STALE=1 it holds up to 4 and drops new frames when
full, as a camera whose buffers nobody collects does, so that after a pause
the oldest frames come out first. Otherwise only the newest is kept.

Each frame carries its production time (wall clock, Unix ms mod 2^30) in
three 10-bit samples at row H/2, columns W/2..W/2+2; the rest is the
pattern of testdata/fakerpicam: bias + 20 + (x+y) % 50, a saturated 5x5
square at row 200, column 300, padding bytes 0xEE.

FAKE_PICAM_MODE: normal | die (exit 3 after FAKE_PICAM_AFTER frames) |
stall (capture_request never returns after FAKE_PICAM_AFTER frames) |
garbage (samples 0xFFFF after FAKE_PICAM_AFTER frames) | nots (no
SensorTimestamp in the metadata). FAKE_PICAM_FORMAT overrides the format
name reported. FAKE_PICAM_LATENCY_MS delays each capture_request's
return, as the ISP and the hand-over do after readout. FAKE_PICAM_LOG names a file that gets "open" per camera
open and "controls E G" per set_controls.
"""

import os
import sys
import threading
import time

_LINE_US = 15


def _env_int(name, default):
    try:
        return int(os.environ.get(name, ""))
    except ValueError:
        return default


def _log(line):
    path = os.environ.get("FAKE_PICAM_LOG")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


class _Request:
    def __init__(self, md, data):
        self._md, self._data, self.released = md, data, False

    def get_metadata(self):
        return dict(self._md)

    def make_buffer(self, name):
        if name != "raw":
            raise KeyError(name)
        return bytearray(self._data)

    def release(self):
        self.released = True


class Picamera2:
    def __init__(self, camera_num=0):
        self.pi5 = os.environ.get("FAKE_PICAM_PI") == "5"
        self.mode = os.environ.get("FAKE_PICAM_MODE", "normal")
        self.after = _env_int("FAKE_PICAM_AFTER", 2)
        self.delay = _env_int("FAKE_PICAM_DELAY", 2)
        self.stale = os.environ.get("FAKE_PICAM_STALE") == "1"
        self.config = None
        self.pending = []  # (frame index from which they apply, controls)
        self.current = {"ExposureTime": 10000, "AnalogueGain": 1.0}
        self.queue = []
        self.cond = threading.Condition()
        self.running = False
        self.produced = 0
        _log("open")

    def create_still_configuration(self, main=None, raw=None, buffer_count=1, queue=True, controls=None):
        return {"main": dict(main or {}), "raw": dict(raw or {}), "buffer_count": buffer_count,
                "queue": queue, "controls": dict(controls or {})}

    def configure(self, cfg):
        raw = cfg["raw"]
        w, h = raw["size"]
        fmt = raw["format"]
        bits = int("".join(c for c in fmt if c.isdigit()) or "0")
        align, shift = 32, 0
        if self.pi5:
            align, shift = 64, 16 - bits
            if fmt.endswith("_CSI2P"):
                fmt = ("MONO" if fmt.startswith("R") else fmt[1:5]) + "_PISP_COMP1"
            else:
                fmt = fmt[:-len(str(bits))] + "16"
        fmt = os.environ.get("FAKE_PICAM_FORMAT", fmt)
        stride = (2 * w + align - 1) // align * align
        self.config = dict(cfg)
        self.config["raw"] = {"size": (w, h), "format": fmt, "stride": stride, "framesize": stride * h}
        self.bits, self.shift, self.w, self.h, self.stride = bits, shift, w, h, stride
        self.current.update(cfg.get("controls", {}))
        self.frame = self._frame(False)
        self.bad = self._frame(True)

    def camera_configuration(self):
        return self.config

    def _frame(self, garbage):
        w, h, stride, shift = self.w, self.h, self.stride, self.shift
        bias = 256 if self.bits == 12 else 60
        ramp = bytearray()
        for i in range(w + 50):
            v = 0xFFFF if garbage else (bias + 20 + i % 50) << shift
            ramp += bytes((v & 0xFF, v >> 8))
        pad = b"\xee" * (stride - 2 * w)
        sat = ((1 << self.bits) - 1) << shift
        buf = bytearray()
        for y in range(h):
            row = bytearray(ramp[2 * (y % 50):2 * (y % 50) + 2 * w])
            if 200 <= y < 205 and not garbage:
                row[600:610] = bytes((sat & 0xFF, sat >> 8)) * 5
            buf += row + pad
        return bytes(buf)

    def set_controls(self, ctrls):
        with self.cond:
            self.pending.append((self.produced + self.delay, dict(ctrls)))
        _log("controls %s %s" % (ctrls.get("ExposureTime"), ctrls.get("AnalogueGain")))

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            with self.cond:
                while self.pending and self.pending[0][0] <= self.produced:
                    self.current.update(self.pending.pop(0)[1])
                exp = int(self.current.get("ExposureTime", 10000))
                gain = float(self.current.get("AnalogueGain", 1.0))
            period = _env_int("FAKE_PICAM_PERIOD_MS", 0) / 1000 or max(exp / 1e6, 0.005)
            time.sleep(period)
            n = self.produced
            now_ns, now_wall = time.monotonic_ns(), time.time()  # the readout starts
            data = self.bad if self.mode == "garbage" and n >= self.after else self.frame
            data = bytearray(data)
            ms = int(now_wall * 1000) & ((1 << 30) - 1)
            off = (self.h // 2) * self.stride + 2 * (self.w // 2)
            for i in range(3):
                v = ((ms >> (10 * i)) & 1023) << self.shift
                data[off + 2 * i:off + 2 * i + 2] = bytes((v & 0xFF, v >> 8))
            md = {"ExposureTime": (exp // _LINE_US) * _LINE_US, "AnalogueGain": round(gain * 16) / 16,
                  "SensorTimestamp": now_ns}
            if self.mode == "nots":
                del md["SensorTimestamp"]
            with self.cond:
                self.produced += 1
                if self.stale:
                    if len(self.queue) < 4:
                        self.queue.append(_Request(md, bytes(data)))
                else:
                    self.queue = [_Request(md, bytes(data))]
                self.cond.notify_all()

    def capture_request(self):
        with self.cond:
            if self.delivered_count() >= self.after:
                if self.mode == "die":
                    print("ERROR: fake picamera2: camera frontend has timed out", file=sys.stderr, flush=True)
                    os._exit(3)
                if self.mode == "stall":
                    while True:
                        self.cond.wait()
            if not self.stale and not self.config.get("queue", True):
                # queue=False: picamera2 holds no completed request, so the
                # capture waits for the next frame to complete.
                self.queue = []
            while not self.queue:
                self.cond.wait()
            self._delivered = self.delivered_count() + 1
            request = self.queue.pop(0)
        # The ISP's processing and picamera2's hand-over come after readout.
        time.sleep(_env_int("FAKE_PICAM_LATENCY_MS", 0) / 1000)
        return request

    def delivered_count(self):
        return getattr(self, "_delivered", 0)

    def stop(self):
        self.running = False

    def close(self):
        pass
