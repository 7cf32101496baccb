// Package starcat loads the Hipparcos star list the solver database and the
// sky renderer are built from (../shared/catalog/hip8.csv: HIP id, J2000
// position at epoch 2000.0, V magnitude, Hipparcos-2 proper motion, B-V), and
// moves stars to another epoch by their proper motion.
//
// The same catalogue is built into the binary in a compact binary form
// (hip8.bin.gz, made by `go generate` from the CSV, lossless), so the
// simulated sky camera works with no files around: see Embedded.
package starcat
