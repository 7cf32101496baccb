// Package simworld is the simulated telescope: the true attitude of the
// camera over time, following a script of slews and holds, and whether the
// camera is covered. The simulated sky camera renders what this attitude
// sees and the simulated IMU reports its rotation, so both simulated devices
// look at one and the same world, and tests can compare any estimate with the
// truth at any instant.
package simworld
