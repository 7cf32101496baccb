package solver

import (
	"math"
)

type vec3 = [3]float64

func dot(a, b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func cross(a, b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func unit(a vec3) vec3 {
	n := math.Sqrt(dot(a, a))
	if n == 0 {
		return a
	}
	return vec3{a[0] / n, a[1] / n, a[2] / n}
}

// mat3 is a rotation stored as rows: m·v maps equatorial to camera frame.
type mat3 [3]vec3

func (m *mat3) mul(v vec3) vec3 { return vec3{dot(m[0], v), dot(m[1], v), dot(m[2], v)} }

// mulT returns mᵀ·v (camera to equatorial).
func (m *mat3) mulT(v vec3) vec3 {
	return vec3{
		m[0][0]*v[0] + m[1][0]*v[1] + m[2][0]*v[2],
		m[0][1]*v[0] + m[1][1]*v[1] + m[2][1]*v[2],
		m[0][2]*v[0] + m[1][2]*v[1] + m[2][2]*v[2],
	}
}

// rodrigues returns the rotation matrix exp([w]×).
func rodrigues(w vec3) mat3 {
	th := math.Sqrt(dot(w, w))
	if th < 1e-15 {
		return mat3{{1, -w[2], w[1]}, {w[2], 1, -w[0]}, {-w[1], w[0], 1}}
	}
	k := vec3{w[0] / th, w[1] / th, w[2] / th}
	s, c := math.Sincos(th)
	v := 1 - c
	return mat3{
		{c + k[0]*k[0]*v, k[0]*k[1]*v - k[2]*s, k[0]*k[2]*v + k[1]*s},
		{k[1]*k[0]*v + k[2]*s, c + k[1]*k[1]*v, k[1]*k[2]*v - k[0]*s},
		{k[2]*k[0]*v - k[1]*s, k[2]*k[1]*v + k[0]*s, c + k[2]*k[2]*v},
	}
}

func matMul(a, b *mat3) mat3 {
	var out mat3
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			out[i][j] = a[i][0]*b[0][j] + a[i][1]*b[1][j] + a[i][2]*b[2][j]
		}
	}
	return out
}

// orthonormalize fixes rounding drift of a rotation (rows).
func orthonormalize(m mat3) mat3 {
	x := unit(m[0])
	y := unit(cross(m[2], x))
	z := cross(x, y)
	return mat3{x, y, z}
}

// wahba returns the rotation A (rows) minimising Σ w|b_i − A r_i|², b in the
// camera frame and r in the equatorial frame, by Horn's quaternion method.
func wahba(b, r []vec3) mat3 {
	var s [3][3]float64 // s[i][j] = Σ r_i b_j
	for k := range b {
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				s[i][j] += r[k][i] * b[k][j]
			}
		}
	}
	sxx, sxy, sxz := s[0][0], s[0][1], s[0][2]
	syx, syy, syz := s[1][0], s[1][1], s[1][2]
	szx, szy, szz := s[2][0], s[2][1], s[2][2]
	n := [4][4]float64{
		{sxx + syy + szz, syz - szy, szx - sxz, sxy - syx},
		{syz - szy, sxx - syy - szz, sxy + syx, szx + sxz},
		{szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy},
		{sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz},
	}
	q := maxEigen4(n)
	q0, qx, qy, qz := q[0], q[1], q[2], q[3]
	return mat3{
		{q0*q0 + qx*qx - qy*qy - qz*qz, 2 * (qx*qy - q0*qz), 2 * (qx*qz + q0*qy)},
		{2 * (qy*qx + q0*qz), q0*q0 - qx*qx + qy*qy - qz*qz, 2 * (qy*qz - q0*qx)},
		{2 * (qz*qx - q0*qy), 2 * (qz*qy + q0*qx), q0*q0 - qx*qx - qy*qy + qz*qz},
	}
}

// maxEigen4 returns the unit eigenvector of the largest eigenvalue of a
// symmetric 4x4 matrix (cyclic Jacobi).
func maxEigen4(a [4][4]float64) [4]float64 {
	v := [4][4]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	for sweep := 0; sweep < 50; sweep++ {
		off := 0.0
		for p := 0; p < 4; p++ {
			for q := p + 1; q < 4; q++ {
				off += a[p][q] * a[p][q]
			}
		}
		if off < 1e-30 {
			break
		}
		for p := 0; p < 4; p++ {
			for q := p + 1; q < 4; q++ {
				if math.Abs(a[p][q]) < 1e-300 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < 4; k++ {
					akp, akq := a[k][p], a[k][q]
					a[k][p] = c*akp - s*akq
					a[k][q] = s*akp + c*akq
				}
				for k := 0; k < 4; k++ {
					apk, aqk := a[p][k], a[q][k]
					a[p][k] = c*apk - s*aqk
					a[q][k] = s*apk + c*aqk
				}
				for k := 0; k < 4; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = c*vkp - s*vkq
					v[k][q] = s*vkp + c*vkq
				}
			}
		}
	}
	best := 0
	for i := 1; i < 4; i++ {
		if a[i][i] > a[best][best] {
			best = i
		}
	}
	return [4]float64{v[0][best], v[1][best], v[2][best], v[3][best]}
}

// solveSym solves the n×n system a·x = b (n ≤ 6) by Gaussian elimination
// with partial pivoting; ok is false when a is singular.
func solveSym(a *[6][6]float64, b *[6]float64, n int) (x [6]float64, ok bool) {
	m := *a
	r := *b
	for c := 0; c < n; c++ {
		p := c
		for i := c + 1; i < n; i++ {
			if math.Abs(m[i][c]) > math.Abs(m[p][c]) {
				p = i
			}
		}
		if math.Abs(m[p][c]) < 1e-300 {
			return x, false
		}
		m[c], m[p] = m[p], m[c]
		r[c], r[p] = r[p], r[c]
		for i := c + 1; i < n; i++ {
			f := m[i][c] / m[c][c]
			for j := c; j < n; j++ {
				m[i][j] -= f * m[c][j]
			}
			r[i] -= f * r[c]
		}
	}
	for i := n - 1; i >= 0; i-- {
		s := r[i]
		for j := i + 1; j < n; j++ {
			s -= m[i][j] * x[j]
		}
		x[i] = s / m[i][i]
	}
	return x, true
}

// binomTail returns P(X ≥ k) for X ~ Binomial(n, p).
func binomTail(n, k int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	if p <= 0 {
		return 0
	}
	if p >= 1 {
		return 1
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	lgn, _ := math.Lgamma(float64(n + 1))
	sum := 0.0
	for i := k; i <= n; i++ {
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		t := math.Exp(lgn - a - b + float64(i)*lp + float64(n-i)*lq)
		sum += t
		if t < sum*1e-17 {
			break
		}
	}
	return math.Min(1, sum)
}
