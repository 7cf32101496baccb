package pipeline

import (
	"fmt"
	"io"
)

// SystemdUnit is the service unit for the Pi: the process exits non-zero
// when the pipeline cannot go on (the state owner died), and systemd starts
// it again. A clean stop (SIGTERM from systemctl stop) exits 0 and is not
// restarted.
const SystemdUnit = `[Unit]
Description=PiFinder acquisition core (camera, plate solver, IMU, LX200)
After=network-online.target
Wants=network-online.target
# Stop a restart storm: at most 5 restarts in 60 s, then stay down.
StartLimitIntervalSec=60
StartLimitBurst=5

[Service]
Type=simple
# A system user of its own, made by the install steps (README):
#   sudo useradd --system --user-group --create-home --home-dir /var/lib/pifinder --shell /usr/sbin/nologin pifinder
# Its settings file is then /var/lib/pifinder/.config/pifinder-go/config.json.
User=pifinder
Group=pifinder
# Device access through the groups Raspberry Pi OS's udev rules give the
# devices: video for the camera (/dev/video*, /dev/media*, /dev/dma_heap/*),
# i2c for the BNO055's /dev/i2c-1, gpio for the keypad (/dev/gpiochip*,
# /dev/gpiomem). No root, no capabilities.
SupplementaryGroups=video i2c gpio
# The API token, if any, as PIFINDER_API_TOKEN=... in this file (mode 0600):
# a token on the command line would show in ps.
EnvironmentFile=-/etc/pifinder/env
ExecStart=/usr/local/bin/pifinder --camera rpicam --imu bno055 --log-format json
Restart=on-failure
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=10

[Install]
WantedBy=multi-user.target
`

// WriteSystemdUnit prints the unit (the `systemd-unit` subcommand).
func WriteSystemdUnit(w io.Writer) error {
	_, err := fmt.Fprint(w, SystemdUnit)
	return err
}
