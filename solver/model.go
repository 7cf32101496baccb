package solver

import "math"

// model is a camera hypothesis: attitude, pixel scale and radial distortion.
//
// Centred pixel coordinates are p = (W/2 − x, H/2 − y) (left, up). The
// distortion follows tetra3: the undistorted position is
// p·(1 − k·|p|²/(W/2)²), and an undistorted p looks along
// (p·s, 1) in the camera frame (left, up, boresight).
type model struct {
	a    mat3 // equatorial to camera, rows are the camera axes
	s    float64
	k    float64
	w, h float64
}

func (m *model) half() float64 { return m.w / 2 }

// undistort maps a centred measured position to the undistorted one.
func (m *model) undistort(px, py float64) (float64, float64) {
	if m.k == 0 {
		return px, py
	}
	hw := m.half()
	f := 1 - m.k*(px*px+py*py)/(hw*hw)
	return px * f, py * f
}

// distort inverts undistort by Newton's method.
func (m *model) distort(ux, uy float64) (float64, float64) {
	if m.k == 0 {
		return ux, uy
	}
	hw := m.half()
	ru := math.Hypot(ux, uy)
	if ru == 0 {
		return ux, uy
	}
	r := ru
	for i := 0; i < 8; i++ {
		q := r / hw
		f := r*(1-m.k*q*q) - ru
		df := 1 - 3*m.k*q*q
		if df == 0 {
			break
		}
		dr := f / df
		r -= dr
		if math.Abs(dr) < 1e-9*hw {
			break
		}
	}
	return ux * r / ru, uy * r / ru
}

// pixelVec returns the equatorial unit vector seen at pixel (x, y).
func (m *model) pixelVec(x, y float64) vec3 {
	ux, uy := m.undistort(m.w/2-x, m.h/2-y)
	return m.a.mulT(unit(vec3{ux * m.s, uy * m.s, 1}))
}

// project returns the undistorted centred position of an equatorial vector.
func (m *model) project(v vec3) (ux, uy float64, ok bool) {
	a := &m.a
	z := a[2][0]*v[0] + a[2][1]*v[1] + a[2][2]*v[2]
	if z <= 1e-9 {
		return 0, 0, false
	}
	f := 1 / (z * m.s)
	return (a[0][0]*v[0] + a[0][1]*v[1] + a[0][2]*v[2]) * f, (a[1][0]*v[0] + a[1][1]*v[1] + a[1][2]*v[2]) * f, true
}

// pixel returns the image pixel of an equatorial vector.
func (m *model) pixel(v vec3) (x, y float64, ok bool) {
	ux, uy, ok := m.project(v)
	if !ok {
		return 0, 0, false
	}
	px, py := m.distort(ux, uy)
	return m.w/2 - px, m.h/2 - py, true
}

// pixelFast is pixel with three fixed-point steps of the distortion
// inverse: within 0.01 px for |k| ≤ 0.01 (real lenses: |k| < 0.005).
func (m *model) pixelFast(ux, uy float64) (x, y float64) {
	px, py := ux, uy
	if m.k != 0 {
		hw2 := m.half() * m.half()
		for i := 0; i < 3; i++ {
			f := 1 - m.k*(px*px+py*py)/hw2
			px, py = ux/f, uy/f
		}
	}
	return m.w/2 - px, m.h/2 - py
}

// fov returns the horizontal field: the angle between the midpoints of the
// left and right edges, through the centre, with distortion.
func (m *model) fov() float64 {
	ux, _ := m.undistort(m.half(), 0)
	return 2 * math.Atan(ux*m.s) * 180 / math.Pi
}

// scaleFor returns s for a horizontal FOV in degrees on a frame w pixels wide.
func scaleFor(fovDeg, w float64) float64 { return 2 * math.Tan(fovDeg*math.Pi/360) / w }
