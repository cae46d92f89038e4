package plan

// partialLimit is how many addresses a partial-plan banner names before
// it counts the rest.
const partialLimit = 20

// partialBanner returns the banner of a plan limited by -target or
// -exclude, as parts each renderer escapes its own way, or nil for a plan
// of the whole configuration: "This plan covers only: a, b and what they
// depend on." and "This plan leaves out: c and what depends on it."
func partialBanner(p *Plan) []textPart {
	if len(p.Targets) == 0 && len(p.Excludes) == 0 {
		return nil
	}
	var out []textPart
	list := func(addrs []string) {
		for i, a := range addrs {
			if i == partialLimit {
				out = append(out, textPart{text: " and " + formatCount(len(addrs)-i) + " more"})
				return
			}
			switch {
			case i == 0:
			case i == len(addrs)-1:
				out = append(out, textPart{text: " and "})
			default:
				out = append(out, textPart{text: ", "})
			}
			out = append(out, textPart{text: a, code: true})
		}
	}
	if len(p.Targets) > 0 {
		out = append(out, textPart{text: "This plan covers only: "})
		list(p.Targets)
		if len(p.Targets) == 1 {
			out = append(out, textPart{text: ", and what it depends on."})
		} else {
			out = append(out, textPart{text: ", and what they depend on."})
		}
	}
	if len(p.Excludes) > 0 {
		if len(out) > 0 {
			out = append(out, textPart{text: " "})
		}
		out = append(out, textPart{text: "This plan leaves out: "})
		list(p.Excludes)
		if len(p.Excludes) == 1 {
			out = append(out, textPart{text: ", and what depends on it."})
		} else {
			out = append(out, textPart{text: ", and what depends on them."})
		}
	}
	if len(p.Targets) == 0 {
		// -exclude alone: what it names is what is left alone.
		return append(out, textPart{text: " What it leaves out was not planned, and applying this plan does not change it."})
	}
	return append(out, textPart{text: " Everything else was not planned, and applying this plan does not change it."})
}

// bannerText returns the banner as plain text.
func bannerText(parts []textPart) string {
	var b []byte
	for _, p := range parts {
		b = append(b, p.text...)
	}
	return string(b)
}
