// Package rot is the one home of the quaternion helpers the pipeline shares:
// axis-angle construction, normalisation, the angle between two
// orientations and vector rotation, on gonum's quat.Number. The conventions
// are PiFinder's (reference §5): Hamilton products, (w, x, y, z), a
// NaN quaternion means "no orientation".
package rot
