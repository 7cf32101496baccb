// Package config owns the settings that survive a restart: the alignment
// target pixel, camera lens, exposure and gain, screen direction, sleep
// timeout, IMU threshold scale, saved locations, the API token and the
// listen addresses of the LX200 and HTTP servers.
//
// They live in one JSON file (indent 4, keys sorted) with one owner: the
// File that Open returns holds the current settings (Current) and is the
// only writer of the file (Update, serialised, atomic: a temporary file in
// the same directory, fsync, rename, fsync of the directory). Every part of
// the program that changes a setting asks that File; nothing else writes
// the file. Load reads it for programs that only read.
//
// Opening never fails hard: a missing file gives the defaults; a corrupt
// file is moved aside (renamed to path+".bad-<timestamp>") and reported, and
// the defaults are used, so a damaged file can never keep the finder from
// starting. Keys this package does not know are kept and written back
// unchanged. Errors name the file once: "config <path>: corrupt file: ...".
//
// Saving never loses what the process holds: the first save creates the
// missing directory (0700); a new file is created 0600 (it may hold the API
// token) and an existing one keeps its mode; a file damaged while running
// is set aside the same way before the save writes the current settings
// plus the change, and the File logs a warning naming the backup (see
// WithLogger).
//
// Live values (location fix, datetime, pointing, power) are not persisted,
// as in PiFinder.
package config
