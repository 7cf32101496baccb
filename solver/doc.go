// Package solver is the lost-in-space plate solver: it identifies a star
// field from detected centroids against the pattern database of package db
// (embedded by default, see Default), in process and allocation-light. It
// also owns the solve worker (worker.go) that runs it in the pipeline.
//
// # Lost-in-space
//
// The brightest centroids (up to MaxPatternStars, then two windows sliding
// down the list by half a window each, for frames whose brightest
// detections are foreground junk) form 4-star patterns, tried breadth-first
// by brightness.
// Each pattern's key is its five sorted edge ratios (edges divided by the
// largest), computed on unit vectors: with an FOV estimate, one pixel scale;
// blind, a geometric ladder of scales across the database's range (each
// owning ±13% of FOV). The ratios change slowly and smoothly with the
// scale, so a guess's window for each ratio spans its values at the edges
// and the centre of the guess's FOV band, widened by the centroid error.
// The windows' quantised bins address hash buckets; the guesses' buckets
// mostly coincide, and each is read once per pattern for all guesses, its
// extent fetched in a separate pass so that the cache misses overlap. Each
// candidate is screened by its 45-bit ratio fingerprint, then by its exact
// ratios and implied FOV. Candidate star correspondences come from
// the best of the 24 permutations; the rotation from Horn's quaternion
// solution of Wahba's problem. The search is bounded by MaxPatterns
// combinations whatever the input (no timeout needed; a context cancels).
//
// # Verification and the false-match probability
//
// A candidate attitude projects the field's catalogue stars (one cone
// query); a cheap stage matches the brightest centroids against the
// brightest stars, then all (up to MaxVerifyStars) centroids are matched
// within MatchRadius·W pixels, looking only at the stars of the frame's
// vertical strips (about the radius wide) that the radius reaches.
// The model (attitude, pixel scale, radial distortion k) is refined by
// Gauss-Newton least squares on all matches, rematched, and outliers beyond
// three robust standard deviations are dropped, until a rematch gives the
// pairs the model was fitted on.
//
// Prob is the probability that the matches arose by chance. Besides the
// four pattern stars (matched by construction), each of the other n−4
// centroids lands within rEff of one of the N field stars considered with
// probability p = N·π·rEff²/(W·H), where rEff is three times the fit's RMS
// residual, kept between 1 px and the match radius. Prob is the binomial
// tail P(X ≥ matches−4), X ~ Bin(n−4, p), times i for the i-th candidate
// hypothesis verified in this search: the i-th is tested at Threshold/i,
// so the chance of accepting any false hypothesis among N stays below
// Threshold·(1 + ln N) (a sequential Bonferroni bound). Tracking
// uses all k matches and the number of distinguishable shifts in the
// searched region instead. A solution is accepted when Prob < Threshold
// (1e-6). Calibration: TestNegatives runs 1000 negatives (pure noise
// frames, hot pixels, random dot lists solved with and without an FOV hint,
// and 3-star frames with a wrong prior) and records the lowest Prob that
// any rejected hypothesis reached; on the current database that is about
// 5e-3, more than three orders of magnitude above the threshold, and the
// test fails if it ever comes within 10x. Competing hypotheses are ranked:
// after the first acceptance the search continues for ExtraPatterns more
// combinations (unless Prob < StrongProb) and the lowest Prob wins.
//
// # Tracking
//
// With a Prior (the last attitude moved by the IMU), the catalogue is
// projected around it and matched directly; when too few stars land, the
// image shift that most centroid/star pairs agree on is found by voting
// (up to 15% of the width). The attitude is refined and verified as above;
// three stars suffice when their fit is tight. A wrong prior falls back to
// lost-in-space.
//
// # Conventions
//
// Pixels and angles follow package geom: (0.5, 0.5) is the centre of the
// top-left pixel; RA/Dec are of the image centre (W/2, H/2); Roll is the
// angle of celestial north from image-up, counter-clockwise positive. FOV
// is horizontal, edge to edge through the centre, distortion included.
// Distortion is tetra3's k: a measured position p (pixels from the centre)
// corresponds to the pinhole position p·(1 − k·|p|²/(W/2)²); negative k is
// barrel distortion. Star positions are at the database epoch.
package solver
