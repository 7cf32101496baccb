// Package config owns the settings that survive a restart: the alignment
// target pixel, camera lens, exposure and gain, screen direction, sleep
// timeout, IMU threshold scale, saved locations, the API token and the
// listen addresses of the LX200 and HTTP servers.
//
// They live in one JSON file (indent 4, keys sorted). Load never fails hard:
// a missing file gives the defaults; a corrupt file is moved aside (renamed
// to path+".bad-<timestamp>") and reported, and the defaults are returned, so
// a damaged file can never keep the finder from starting. Keys this package
// does not know are kept and written back unchanged. Save is atomic: a
// temporary file in the same directory, fsync, rename.
//
// Live values (location fix, datetime, pointing, power) are not persisted,
// as in PiFinder.
package config
