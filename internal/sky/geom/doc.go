// Package geom owns the one projection convention shared by the sky
// renderer, the detector's consumers and the plate solver (the tetra3
// convention PiFinder uses):
//
//   - Equatorial frame: +z to the north celestial pole, +x to RA 0/Dec 0,
//     +y to RA 90°.
//   - Camera frame: +z boresight, +y image-up, +x image-left.
//   - Pixels: x to the right, y down, (0.5, 0.5) the centre of the top-left
//     pixel, (W/2, H/2) the optical centre.
//   - A pixel (x, y) looks along (left, up, boresight) = ((W/2−x)·s, (H/2−y)·s, 1)
//     with s = 2·tan(FOV/2)/W, FOV the horizontal field (a pinhole camera).
//   - Roll is the angle of celestial north from image-up, counter-clockwise
//     positive, in [0, 360).
//
// Attitude.Rotation is the matrix of q_eq2cam = Rz(ra)·Ry(90°−dec)·Rz(90°+roll):
// its columns are the camera's left, up and boresight axes in equatorial
// coordinates.
package geom
