package dns

import (
	"fmt"
	"strconv"
	"strings"
)

// LOC data (RFC 1876): latitude, longitude, altitude, and optionally size
// and horizontal and vertical precision. It is read into its wire values
// and written back from them, as BIND writes it.

const (
	locEquator  = 1 << 31    // the wire latitude (and longitude) of 0°
	locAltBase  = 10000000   // centimetres below the reference spheroid of wire altitude 0
	locMaxAltCm = 4284967295 // wire altitude 2³²-1, minus locAltBase, in cm
)

func parseLOC(r *rdataReader) {
	lat, ok := r.locAngle("latitude", 90, "NS")
	if !ok {
		return
	}
	long, ok := r.locAngle("longitude", 180, "EW")
	if !ok {
		return
	}
	t, ok := r.word("altitude")
	if !ok {
		return
	}
	alt, ok := locMeters(t.text, true)
	if !ok || alt < -locAltBase || alt > locMaxAltCm {
		r.fail(t, "invalid altitude %q in the LOC record: write metres from -100000.00 to 42849672.95, such as -2.00m", t.text)
		return
	}
	sizes := [3]uint8{0x12, 0x16, 0x13} // 1m, 10000m, 10m
	names := [3]string{"size", "horizontal precision", "vertical precision"}
	for i := range sizes {
		if !r.more() {
			break
		}
		t, _ := r.word(names[i])
		cm, ok := locMeters(t.text, false)
		if !ok || cm > 9000000000 {
			r.fail(t, "invalid %s %q in the LOC record: write metres from 0 to 90000000.00, such as 10m", names[i], t.text)
			return
		}
		sizes[i] = locSizeByte(uint64(cm))
	}
	if r.err != nil {
		return
	}
	r.sep()
	r.b.WriteString(formatLOC(uint32(int64(locEquator)+lat), uint32(int64(locEquator)+long), uint32(alt+locAltBase), sizes))
}

// locAngle reads D [M [S.sss]] followed by one of the two hemisphere
// letters and returns thousandths of an arc second, negative for the
// second letter.
func (r *rdataReader) locAngle(what string, maxDeg int, hemis string) (int64, bool) {
	var parts []token
	for len(parts) < 4 {
		t, ok := r.word(what)
		if !ok {
			return 0, false
		}
		if len(t.text) == 1 && strings.ContainsRune(hemis, rune(t.text[0]&^0x20)) {
			v, ok := locDMS(parts, maxDeg)
			if !ok {
				r.fail(t, "invalid %s in the LOC record: write degrees (at most %d), minutes and seconds (below 60), then %c or %c", what, maxDeg, hemis[0], hemis[1])
				return 0, false
			}
			if t.text[0]&^0x20 == hemis[1] {
				v = -v
			}
			return v, true
		}
		parts = append(parts, t)
	}
	r.fail(parts[0], "invalid %s in the LOC record: write D [M [S]] followed by %c or %c", what, hemis[0], hemis[1])
	return 0, false
}

// locDMS reads degrees, minutes and seconds into thousandths of an arc
// second.
func locDMS(parts []token, maxDeg int) (int64, bool) {
	if len(parts) == 0 || len(parts) > 3 {
		return 0, false
	}
	deg, err := strconv.Atoi(parts[0].text)
	if err != nil || deg < 0 || deg > maxDeg || !allDigits(parts[0].text) {
		return 0, false
	}
	var min, msec int
	if len(parts) > 1 {
		if min, err = strconv.Atoi(parts[1].text); err != nil || min < 0 || min > 59 || !allDigits(parts[1].text) {
			return 0, false
		}
	}
	if len(parts) > 2 {
		whole, frac, _ := strings.Cut(parts[2].text, ".")
		sec, err := strconv.Atoi(whole)
		if err != nil || !allDigits(whole) || sec > 59 || len(frac) > 3 || (frac != "" && !allDigits(frac)) {
			return 0, false
		}
		frac += strings.Repeat("0", 3-len(frac))
		ms, _ := strconv.Atoi(frac)
		msec = sec*1000 + ms
	}
	v := int64((deg*60+min)*60*1000 + msec)
	if v > int64(maxDeg)*3600*1000 {
		return 0, false
	}
	return v, true
}

// locMeters reads metres with at most two decimals and an optional "m"
// into centimetres.
func locMeters(s string, signed bool) (int64, bool) {
	s = strings.TrimSuffix(s, "m")
	neg := false
	if signed && strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if !allDigits(whole) || len(frac) > 2 || (frac != "" && !allDigits(frac)) || len(whole) > 10 {
		return 0, false
	}
	m, _ := strconv.ParseInt(whole, 10, 64)
	frac += strings.Repeat("0", 2-len(frac))
	cm, _ := strconv.ParseInt(frac, 10, 64)
	v := m*100 + cm
	if neg {
		v = -v
	}
	return v, true
}

// locSizeByte encodes centimetres as LOC's mantissa and power of ten,
// truncating as BIND does.
func locSizeByte(cm uint64) uint8 {
	exp := 0
	for exp < 9 && cm >= pow10(exp+1) {
		exp++
	}
	man := cm / pow10(exp)
	if man > 9 {
		man = 9
	}
	return uint8(man<<4) | uint8(exp)
}

func pow10(e int) uint64 {
	n := uint64(1)
	for range e {
		n *= 10
	}
	return n
}

// formatLOC writes LOC wire values in presentation form.
func formatLOC(lat, long, alt uint32, sizes [3]uint8) string {
	var b strings.Builder
	writeAngle := func(v uint32, pos, neg byte) {
		d := int64(v) - locEquator
		h := pos
		if d < 0 {
			d, h = -d, neg
		}
		fmt.Fprintf(&b, "%d %d %d.%03d %c ", d/3600000, d/60000%60, d/1000%60, d%1000, h)
	}
	writeAngle(lat, 'N', 'S')
	writeAngle(long, 'E', 'W')
	a := int64(alt) - locAltBase
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	fmt.Fprintf(&b, "%s%d.%02dm", sign, a/100, a%100)
	for _, s := range sizes {
		man, exp := uint64(s>>4), int(s&0x0f)
		if exp >= 2 {
			fmt.Fprintf(&b, " %dm", man*pow10(exp-2))
		} else {
			fmt.Fprintf(&b, " 0.%02dm", man*pow10(exp))
		}
	}
	return b.String()
}
