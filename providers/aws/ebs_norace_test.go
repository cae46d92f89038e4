//go:build !race

package aws

// ebsRaceSlowdown scales time limits: 1 without the race detector.
const ebsRaceSlowdown = 1
