// Package chart draws a sky chart around a pointing, for the web page (SVG,
// see Scene.WriteSVG) and for the device screen (a raster into any
// draw.Image, see Scene.Draw, sized for the 128×128 OLED).
//
// Build projects the embedded Hipparcos stars (package starcat), the
// deep-sky objects of package objects and the constellation stick figures
// onto a plane tangent to the sky at the chart centre: the gnomonic
// projection. It is the projection of a camera or an eyepiece, so the chart
// matches what the solver sees; it maps every great circle to a straight
// line, so a constellation line is exactly the straight segment between its
// two stars and never has to be subdivided. Its distortion grows as tan, so
// charts are limited to 120° and points more than about 87° from the centre
// are dropped (lines are clipped there).
//
// The chart shows the sky as seen from inside the sphere: with north up,
// east is to the left. A positive Options.Roll rotates the sky
// counter-clockwise on the chart (the solver's roll: the chart then shows
// the camera frame upright); with Options.NorthUp the sky stays north up and
// the camera field square is rotated the other way instead.
//
// # Data and credits
//
// The constellation lines are those of d3-celestial 0.7.35
// (constellations.lines.json, BSD-3-Clause, © 2015 Olaf Frohn), turned by
// `go generate` (see gen/) into lines.bin, a compact deterministic binary
// form (positions to 1e-5°) embedded in the binary; the JSON is never
// committed.
package chart

//go:generate go run ./gen -in ../../../shared/catalog/objects/constellations.lines.json -out lines.bin
