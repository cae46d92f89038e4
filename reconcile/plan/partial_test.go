package plan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestPartialPlanBanner checks that a plan limited by -target or
// -exclude says so, with the addresses, in every review format, and that
// a plan of everything carries no banner.
func TestPartialPlanBanner(t *testing.T) {
	many := make([]string, 25)
	for i := range many {
		many[i] = fmt.Sprintf("local_file.f[%d]", i)
	}
	tests := []struct {
		name               string
		targets, excludes  []string
		text, md, htmlText []string
	}{
		{
			name: "targets", targets: []string{`module.site["a"].bind_zone.z`, "local_file.site"},
			text:     []string{"Partial plan: This plan covers only: module.site[\"a\"].bind_zone.z and local_file.site, and what they depend on."},
			md:       []string{"> **Partial plan.** This plan covers only: `module.site[\"a\"].bind_zone.z` and `local_file.site`, and what they depend on."},
			htmlText: []string{`<p class="banner" id="partial"><strong>Partial plan.</strong> This plan covers only: <code>module.site["a"].bind_zone.z</code> and <code>local_file.site</code>, and what they depend on.`},
		},
		{
			name: "excludes", excludes: []string{"aws_route53_zone.big"},
			text:     []string{"Partial plan: This plan leaves out: aws_route53_zone.big, and what depends on it."},
			md:       []string{"This plan leaves out: `aws_route53_zone.big`, and what depends on it."},
			htmlText: []string{"This plan leaves out: <code>aws_route53_zone.big</code>, and what depends on it."},
		},
		{
			name: "both, and many", targets: many, excludes: []string{"local_file.f[3]", "local_file.f[4]"},
			text: []string{"local_file.f[19] and 5 more, and what they depend on. This plan leaves out: local_file.f[3] and local_file.f[4], and what depends on them."},
			md:   []string{"`local_file.f[19]` and 5 more, and what they depend on."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := samplePlan()
			p.Targets, p.Excludes = tt.targets, tt.excludes
			var text, md, page bytes.Buffer
			if err := RenderText(&text, p, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := RenderHTML(&page, p); err != nil {
				t.Fatal(err)
			}
			for format, c := range map[string]struct {
				out  string
				want []string
			}{"text": {text.String(), tt.text}, "markdown": {md.String(), tt.md}, "html": {page.String(), tt.htmlText}} {
				for _, w := range c.want {
					if !strings.Contains(c.out, w) {
						t.Errorf("%s lacks %q:\n%s", format, w, c.out[:min(len(c.out), 700)])
					}
				}
			}
			// The banner comes before any change.
			if i, j := strings.Index(md.String(), "Partial plan"), strings.Index(md.String(), "<details"); i < 0 || i > j {
				t.Errorf("the Markdown banner is not above the changes")
			}
		})
	}
	p := samplePlan()
	p.Targets = nil
	for _, r := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return RenderText(b, p, TextOptions{}) },
		func(b *bytes.Buffer) error { return RenderMarkdown(b, p, MarkdownOptions{}) },
		func(b *bytes.Buffer) error { return RenderHTML(b, p) },
	} {
		var b bytes.Buffer
		if err := r(&b); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "Partial plan") {
			t.Errorf("a plan of everything carries a partial-plan banner")
		}
	}
}
