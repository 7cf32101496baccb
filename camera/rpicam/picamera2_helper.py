# PiFinder's picamera2 helper: the pifinder binary embeds this script and
# runs it with python3. It opens the camera with picamera2 (Raspberry Pi
# OS's camera library, PiFinder's own stack), asks for the raw mode on the
# command line, and then, for every command line on stdin, captures one
# frame and writes it to stdout with a binary header. Exposure and gain are
# changed live with set_controls, which libcamera applies a few frames
# later without stopping the camera. The protocol is documented in the Go
# package camera/rpicam; this script must stay in step with protocol.go.
#
# Command line: --width W --height H --format F --exposure-us E --gain G
#               [--buffers N] [--camera I]
# stdin:  one JSON object per line: {"id": N, "exposure_us": E, "gain": G}
# stdout: per command, one frame: header (96 bytes) + stride*height bytes
# stderr: "picamera2-helper: ..." lines; "ERROR: ..." before a failure exit
#
# It ends when stdin ends (the binary closed it or died), on SIGTERM, or
# with exit status 1 after an error it has reported.

import argparse
import json
import struct
import sys
import time

MAGIC = b"PFCH"
VERSION = 1
# magic, version, header length, seq, id, sensor timestamp, request time,
# send time, exposure (us), gain, width, height, stride, payload length,
# format name.
HEADER = struct.Struct("<4sHHQQqqqqdIIII16s")


def log(msg):
    print("picamera2-helper: " + msg, file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="picamera2-helper")
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--format", required=True)
    p.add_argument("--exposure-us", type=int, required=True)
    p.add_argument("--gain", type=float, required=True)
    p.add_argument("--buffers", type=int, default=3)
    p.add_argument("--camera", type=int, default=0)
    return p.parse_args(argv)


def controls(exposure_us, gain):
    # AeEnable off: the binary runs its own auto-exposure on solve results,
    # as PiFinder does (camera_pi.py).
    return {"AeEnable": False, "ExposureTime": int(exposure_us), "AnalogueGain": float(gain)}


def serve(cam, args, stdin, out):
    raw = cam.camera_configuration()["raw"]
    fmt = str(raw["format"])
    width, height = raw["size"]
    stride = int(raw["stride"])
    need = stride * height
    log("raw stream %dx%d stride %d format %s" % (width, height, stride, fmt))
    name = fmt.encode("ascii")[:16]
    applied = (args.exposure_us, args.gain)
    seq = 0
    for line in stdin:
        line = line.strip()
        if not line:
            continue
        request_ns = time.monotonic_ns()
        cmd = json.loads(line)
        want = (int(cmd["exposure_us"]), float(cmd["gain"]))
        if want != applied:
            cam.set_controls(controls(*want))
            applied = want
        request = cam.capture_request()
        try:
            md = request.get_metadata()
            # make_buffer copies the raw plane, so the request can go back
            # to the camera at once.
            buf = request.make_buffer("raw")
        finally:
            request.release()
        data = memoryview(buf).cast("B")
        if len(data) < need:
            raise RuntimeError("raw buffer of %d bytes, want %d" % (len(data), need))
        seq += 1
        # SensorTimestamp: CLOCK_MONOTONIC ns on the Raspberry Pi stack
        # (picamera2's own capture_request(flush=True) compares it with
        # time.monotonic_ns()); the send time is on the same clock, so the
        # binary can place the frame on its wall clock.
        out.write(HEADER.pack(
            MAGIC, VERSION, HEADER.size, seq, int(cmd["id"]),
            int(md.get("SensorTimestamp", 0)), request_ns, time.monotonic_ns(),
            int(md.get("ExposureTime", 0)), float(md.get("AnalogueGain", 0.0)),
            width, height, stride, need, name))
        out.write(data[:need])
        out.flush()


def main(argv):
    args = parse_args(argv)
    from picamera2 import Picamera2

    cam = Picamera2(args.camera)
    try:
        # The raw size and format PiFinder's camera_pi.py asks for (R10 for
        # the mono imx296, SRGGB12 otherwise); on a Pi 5 libcamera answers
        # with the 16-bit form, which the header reports. queue=False: a
        # capture waits for a frame that completes after it is asked for,
        # rather than taking one picamera2 held back.
        cfg = cam.create_still_configuration(
            main={"size": (512, 512)},
            raw={"size": (args.width, args.height), "format": args.format},
            buffer_count=args.buffers, queue=False,
            controls=controls(args.exposure_us, args.gain))
        cam.configure(cfg)
        cam.start()
        serve(cam, args, sys.stdin, sys.stdout.buffer)
    finally:
        try:
            cam.stop()
            cam.close()
        except Exception:
            pass


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BrokenPipeError:
        sys.exit(0)  # the binary went away
    except KeyboardInterrupt:
        sys.exit(0)
    except SystemExit:
        raise
    except BaseException as e:
        print("ERROR: picamera2-helper: %s: %s" % (type(e).__name__, e), file=sys.stderr, flush=True)
        sys.exit(1)
