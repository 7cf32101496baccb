package deadreck

import (
	"math"
	"testing"

	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/state"
)

const tol = 1e-9

func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

// sameRotation compares quaternions modulo the double cover.
func sameRotation(a, b quat.Number, eps float64) bool {
	d := quat.Abs(quat.Sub(a, b))
	s := quat.Abs(quat.Add(a, b))
	return d <= eps || s <= eps
}

// wrapPi folds an angle difference into (−π, π].
func wrapPi(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a > math.Pi {
		a -= 2 * math.Pi
	}
	if a <= -math.Pi {
		a += 2 * math.Pi
	}
	return a
}

func TestT7PointingConversions(t *testing.T) {
	p := FromPointing(state.PointingOf(180, 45, 90))
	if !near(p.RA, math.Pi, tol) || !near(p.Dec, math.Pi/4, tol) || !near(p.Roll, math.Pi/2, tol) {
		t.Errorf("deg→rad (180,45,90) = %+v", p)
	}
	back := RaDecRoll{math.Pi, math.Pi / 4, math.Pi / 2}.Pointing()
	if !near(back.RA, 180, 1e-12) || !near(back.Dec, 45, 1e-12) || !near(back.Roll, 90, 1e-12) || !back.Valid {
		t.Errorf("rad→deg = %+v", back)
	}
	for _, in := range []state.Pointing{
		state.PointingOf(123.4, -12.3, 271), state.PointingOf(0, 0, 0), state.PointingOf(359.999, 89.5, 271),
	} {
		out := FromPointing(in).Pointing()
		if !near(out.RA, in.RA, 1e-12) || !near(out.Dec, in.Dec, 1e-12) || !near(out.Roll, in.Roll, 1e-12) {
			t.Errorf("round trip %+v → %+v", in, out)
		}
	}
	if FromPointing(state.Pointing{}).Valid() || (RaDecRoll{1, math.NaN(), 0}).Pointing().Valid {
		t.Error("invalid pointings must stay invalid")
	}

	quats := []struct {
		name string
		in   state.Pointing
		want quat.Number
	}{
		{"origin", state.PointingOf(0, 0, 0), quat.Number{Real: 0.5, Imag: 0.5, Jmag: 0.5, Kmag: 0.5}},
		{"ra90", state.PointingOf(90, 0, 0), quat.Number{Real: 0, Imag: 0, Jmag: math.Sqrt2 / 2, Kmag: math.Sqrt2 / 2}},
	}
	for _, c := range quats {
		got := EqToCam(FromPointing(c.in))
		if !sameRotation(got, c.want, tol) {
			t.Errorf("%s: q_eq2cam = %v, want %v", c.name, got, c.want)
		}
	}

	r := ToRaDecRoll(EqToCam(FromPointing(state.PointingOf(123.4, -12.3, 271)))).Pointing()
	if !near(r.RA, 123.4, 1e-9) || !near(r.Dec, -12.3, 1e-9) || !near(r.Roll, -89, 1e-9) {
		t.Errorf("(123.4, −12.3, 271) → %+v, want (123.4, −12.3, −89)", r)
	}
}

func mustIMU(t testing.TB, dir string) quat.Number {
	q, err := mount.IMUToCamera(dir)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestT9ReckonerContract(t *testing.T) {
	imu2cam := mustIMU(t, "flat")
	cam := RaDecRoll{1.234, -0.4, 0.1}
	x2imu := rot.AxisAngle(r3.Vec{Z: 1}, 0.3)

	r := NewReckoner(imu2cam)
	if _, _, ok := r.Predict(x2imu); ok || r.Initialized() {
		t.Fatal("predict before solve must give none")
	}
	r.Solve(cam, cam, x2imu)
	if !r.Initialized() {
		t.Fatal("not initialised after a valid solve")
	}
	want := rot.Normalize(quat.Mul(EqToCam(cam), quat.Conj(quat.Mul(x2imu, imu2cam))))
	if !sameRotation(r.EqToX(), want, tol) {
		t.Errorf("q_eq2x = %v, want %v", r.EqToX(), want)
	}
	if !near(quat.Abs(r.EqToX()), 1, tol) {
		t.Errorf("|q_eq2x| = %v", quat.Abs(r.EqToX()))
	}
	if !sameRotation(r.CamToAligned(), quat.Number{Real: 1}, tol) {
		t.Errorf("identical axes: q_cam2aligned = %v, want identity", r.CamToAligned())
	}
	r.Solve(cam, RaDecRoll{1.01, 0.21, 0.1}, x2imu)
	if sameRotation(r.CamToAligned(), quat.Number{Real: 1}, 1e-6) {
		t.Error("offset aligned axis: q_cam2aligned must not be identity")
	}

	nan := math.NaN()
	for name, f := range map[string]func(*Reckoner){
		"nan camera":  func(r *Reckoner) { r.Solve(RaDecRoll{nan, 0, 0}, cam, x2imu) },
		"nan aligned": func(r *Reckoner) { r.Solve(cam, RaDecRoll{0, nan, 0}, x2imu) },
		"nan imu":     func(r *Reckoner) { r.Solve(cam, cam, NaNQuat) },
		"zero imu":    func(r *Reckoner) { r.Solve(cam, cam, quat.Number{}) },
	} {
		r := NewReckoner(imu2cam)
		f(r)
		if r.Initialized() {
			t.Errorf("%s: initialised", name)
		}
	}

	for _, p := range []RaDecRoll{{0.5, 0.3, 0}, {3.0, -0.7, 0.2}, {1.7, 0, -0.4}, {5.9, 0.45, 0.1}} {
		al := RaDecRoll{p.RA + 0.01, p.Dec - 0.02, p.Roll}
		r := NewReckoner(imu2cam)
		r.Solve(p, al, x2imu)
		c, a, ok := r.Predict(x2imu)
		if !ok {
			t.Fatalf("%v: predict failed", p)
		}
		for _, pair := range [][2]RaDecRoll{{c, p}, {a, al}} {
			got, w := pair[0], pair[1]
			if !near(wrapPi(got.RA-w.RA), 0, tol) || !near(got.Dec, w.Dec, tol) || !near(wrapPi(got.Roll-w.Roll), 0, tol) {
				t.Errorf("predict with the solve quaternion: %+v, want %+v", got, w)
			}
		}
	}

	r = NewReckoner(imu2cam)
	r.Solve(cam, RaDecRoll{1.01, 0.21, 0.1}, x2imu)
	c0, a0, _ := r.Predict(x2imu)
	c1, _, _ := r.Predict(quat.Mul(x2imu, rot.AxisAngle(r3.Vec{Z: 1}, 0.05)))
	if d := rot.Angle(EqToCam(c0), EqToCam(c1)); !near(d, 0.05, tol) {
		t.Errorf("0.05 rad about IMU z moved the camera by %v rad", d)
	}
	sep0 := rot.Angle(EqToCam(c0), EqToCam(a0))
	c2, a2, _ := r.Predict(quat.Mul(x2imu, rot.AxisAngle(r3.Vec{Y: 1}, 0.3)))
	if sep := rot.Angle(EqToCam(c2), EqToCam(a2)); !near(sep, sep0, tol) {
		t.Errorf("camera↔aligned angle %v after a turn, was %v", sep, sep0)
	}

	eq2x := r.EqToX()
	r.Reset()
	if r.Initialized() || !rot.HasNaN(r.EqToX()) || !rot.HasNaN(r.CamToAligned()) {
		t.Error("reset must make both NaN")
	}
	if _, _, ok := r.Predict(x2imu); ok {
		t.Error("predict after reset must give none")
	}
	r.Solve(cam, cam, x2imu)
	if !r.Initialized() {
		t.Error("re-solve after reset failed")
	}
	r.Solve(RaDecRoll{2.5, 0.6, -0.3}, RaDecRoll{2.5, 0.6, -0.3}, x2imu)
	if sameRotation(r.EqToX(), eq2x, 1e-6) {
		t.Error("a solve at another pointing must change q_eq2x")
	}
}

func TestT10DeadReckoningNumbers(t *testing.T) {
	rad := func(d float64) float64 { return d * deg }
	id := quat.Number{Real: 1}
	about := func(axis r3.Vec, d float64) quat.Number { return rot.AxisAngle(axis, rad(d)) }
	X, Y, Z := r3.Vec{X: 1}, r3.Vec{Y: 1}, r3.Vec{Z: 1}
	type pt struct{ ra, dec, roll float64 }
	cases := []struct {
		name    string
		dir     string
		cam, al pt
		imu     quat.Number
		wantCam pt
		wantAl  *pt
		eps     float64 // degrees
	}{
		{"+10 z", "flat", pt{30, 0, 0}, pt{30, 0, 0}, about(Z, 10), pt{40, 0, 0}, nil, 1e-9},
		{"+10 y", "flat", pt{30, 0, 0}, pt{30, 0, 0}, about(Y, 10), pt{30, 10, 0}, nil, 1e-9},
		{"+10 x", "flat", pt{30, 0, 0}, pt{30, 0, 0}, about(X, 10), pt{30, 0, -10}, nil, 1e-9},
		{"wrap 350+20", "flat", pt{350, 0, 0}, pt{350, 0, 0}, about(Z, 20), pt{10, 0, 0}, nil, 1e-9},
		{"dec 45", "flat", pt{180, 45, 0}, pt{180, 45, 0}, about(Z, 10), pt{194.002, 44.136, -9.851}, nil, 1e-3},
		{"aligned offset", "flat", pt{30, 0, 0}, pt{31, 1, 0}, about(Z, 10), pt{40, 0, 0}, &pt{41, 1, 0}, 1e-9},
		{"left +10 x", "left", pt{30, 0, 0}, pt{30, 0, 0}, about(X, 10), pt{20, 0, 0}, nil, 1e-9},
		{"right +10 x", "right", pt{30, 0, 0}, pt{30, 0, 0}, about(X, 10), pt{20, 0, 0}, nil, 1e-9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReckoner(mustIMU(t, c.dir))
			r.Solve(RaDecRoll{rad(c.cam.ra), rad(c.cam.dec), rad(c.cam.roll)}, RaDecRoll{rad(c.al.ra), rad(c.al.dec), rad(c.al.roll)}, id)
			cam, al, ok := r.Predict(c.imu)
			if !ok {
				t.Fatal("no prediction")
			}
			check := func(what string, got RaDecRoll, w pt, roll bool) {
				p := got.Pointing()
				dra := math.Mod(p.RA-w.ra+540, 360) - 180
				if !near(dra, 0, c.eps) || !near(p.Dec, w.dec, c.eps) || (roll && !near(p.Roll, w.roll, c.eps)) {
					t.Errorf("%s = (%.6f, %.6f, %.6f), want (%g, %g, %g)", what, p.RA, p.Dec, p.Roll, w.ra, w.dec, w.roll)
				}
			}
			check("camera", cam, c.wantCam, c.dir == "flat")
			if c.wantAl != nil {
				check("aligned", al, *c.wantAl, false)
			}
		})
	}
	// The (180°, 45°) case as PiFinder prints it: RA −165.998° before normalisation.
	r := NewReckoner(mustIMU(t, "flat"))
	r.Solve(RaDecRoll{math.Pi, math.Pi / 4, 0}, RaDecRoll{math.Pi, math.Pi / 4, 0}, id)
	cam, _, _ := r.Predict(about(Z, 10))
	if p := cam.Pointing(); !near(p.RA, -165.998, 1e-3) {
		t.Errorf("raw predicted RA = %.4f, want −165.998", p.RA)
	}
}

func BenchmarkPredict(b *testing.B) {
	r := NewReckoner(mustIMU(b, "right"))
	r.Solve(RaDecRoll{1, 0.5, 0.2}, RaDecRoll{1.01, 0.51, 0.2}, rot.AxisAngle(r3.Vec{Z: 1}, 0.3))
	q := rot.AxisAngle(r3.Vec{X: 1, Y: 2, Z: 3}, 0.4)
	b.ReportAllocs()
	for b.Loop() {
		r.Predict(q)
	}
}
