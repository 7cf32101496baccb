// Package render draws synthetic star fields: the test bench for the star
// detector and, later, the simulated camera. Given an attitude, a field of
// view, an image size, exposure and gain it renders the Hipparcos stars
// (solver/catalog) projected with solver/geom to an 8- or 16-bit frame with a
// pixel-integrated Gaussian PSF, sky background and gradient, Poisson and read
// noise, hot pixels, trails, clouds, satellite streaks, glare and saturation,
// and returns the exact true position, flux and SNR of every star drawn.
//
// Rendering is deterministic for a given Options.Seed.
package render
