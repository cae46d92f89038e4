package svn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/plumbhq/plumb/providers/host"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Rules a Violation can break.
const (
	RuleMessage   = "message"
	RuleForbidden = "forbidden-path"
	RuleSize      = "file-size"
	RuleLint      = "lint"
)

// CheckRequest names a commit to check and the policy to check it with.
type CheckRequest struct {
	// Repos is the repository path.
	Repos string
	// Txn is the transaction a pre-commit hook is given. When empty,
	// Revision is checked instead: a way to try a policy on past commits.
	Txn      string
	Revision int
	Policy   Policy
	// Svnlook is the svnlook program; "svnlook" when empty.
	Svnlook string
	// Parallelism bounds the files checked at once; 0 means the number
	// of CPUs (starting processes is the work, so more does not help).
	Parallelism int
}

// Violation is one way a commit breaks the policy, in words for the
// person committing.
type Violation struct {
	// Rule is one of the Rule constants.
	Rule string
	// Path is the repository path the violation is about; empty for the
	// log message.
	Path string
	// Line is the line a linter named, or 0.
	Line int
	// Message says what is wrong.
	Message string
	// Detail is the linter's output, when there is one.
	Detail string
	// Advice says what to do about it.
	Advice string
}

// binarySniff is how much of a file is looked at for a NUL byte, the sign
// of binary content, which is not linted.
const binarySniff = 8000

// CheckCommit checks a transaction (or revision) against a policy and
// returns the violations: the log message's first, then the files' in
// path order. Linters run in parallel on the content
// from the repository, never a working copy; deleted files and binary
// content (a NUL byte in the first 8,000 bytes) are not linted. An error
// means the commit could not be checked at all.
func CheckCommit(ctx context.Context, req CheckRequest) ([]Violation, error) {
	if err := checkRepository(ctx, host.Local(), req.Repos); err != nil {
		return nil, err
	}
	if err := req.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("the commit policy is not usable: %w", err)
	}
	l := newLook(req.Svnlook, req.Repos, req.Txn, req.Revision)
	logMsg, err := l.run(ctx, "log")
	if err != nil {
		return nil, err
	}
	vs := checkMessage(req.Policy, string(logMsg))
	out, err := l.run(ctx, "changed")
	if err != nil {
		return nil, err
	}
	changes, err := parseChanged(out)
	if err != nil {
		return nil, err
	}
	var jobs []fileJob
	var pathVs []Violation
	for _, c := range changes {
		if c.action == 'D' || c.action == ' ' {
			continue
		}
		if g := forbidden(req.Policy.ForbidPaths, c.path); g != "" {
			pathVs = append(pathVs, Violation{Rule: RuleForbidden, Path: c.path,
				Message: fmt.Sprintf("%s may not be committed: the repository forbids paths matching %q.", c.path, g),
				Advice:  fmt.Sprintf("Remove it from the commit (svn revert or svn delete --keep-local %s) and commit again.", shellQuote(c.path))})
			continue
		}
		if !c.contentChanged() {
			continue
		}
		j := fileJob{path: c.path}
		for _, r := range req.Policy.Lint {
			if matchGlob(r.Pattern, c.path) {
				j.rules = append(j.rules, r)
			}
		}
		if len(j.rules) > 0 || req.Policy.MaxFileSize > 0 {
			jobs = append(jobs, j)
		}
	}
	fileVs, err := runJobs(ctx, l, req, jobs)
	if err != nil {
		return nil, err
	}
	pathVs = append(pathVs, fileVs...)
	sort.SliceStable(pathVs, func(i, j int) bool { return pathVs[i].Path < pathVs[j].Path })
	return append(vs, pathVs...), nil
}

// checkMessage applies the log message rules.
func checkMessage(p Policy, msg string) []Violation {
	msg = strings.TrimSpace(msg)
	n := utf8.RuneCountInString(msg)
	switch {
	case n == 0 && p.MinMessageLength > 0:
		return []Violation{{Rule: RuleMessage, Message: "The log message is empty.",
			Advice: fmt.Sprintf("Write at least %s that say what the commit changes and why, such as svn commit -m \"Fix the date format on invoices\".", characters(p.MinMessageLength))}}
	case n < p.MinMessageLength:
		return []Violation{{Rule: RuleMessage, Message: fmt.Sprintf("The log message %q is too short: %d characters, and this repository asks for at least %d.", msg, n, p.MinMessageLength),
			Advice: "Say what the commit changes and why, so others can follow the history."}}
	}
	if p.MessagePattern != "" {
		re := regexp.MustCompile(p.MessagePattern) // Validate compiled it
		if !re.MatchString(msg) {
			return []Violation{{Rule: RuleMessage, Message: fmt.Sprintf("The log message does not match the pattern %s that this repository requires.", p.MessagePattern),
				Advice: "Reword the message so it matches (often this means starting with an issue key) and commit again."}}
		}
	}
	return nil
}

// characters says "1 character" or "n characters".
func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return fmt.Sprintf("%d characters", n)
}

// forbidden returns the first glob of globs that p matches, or "".
func forbidden(globs []string, p string) string {
	for _, g := range globs {
		if matchGlob(g, p) {
			return g
		}
	}
	return ""
}

// fileJob is an added or modified file with the linters that apply.
type fileJob struct {
	path  string
	rules []LintRule
}

// runJobs checks the files in parallel and returns their violations in
// job order.
func runJobs(ctx context.Context, l look, req CheckRequest, jobs []fileJob) ([]Violation, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	tmp, err := os.MkdirTemp("", "plumb-check-commit-")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary directory for the linters: %w", err)
	}
	defer os.RemoveAll(tmp)
	workers := req.Parallelism
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	results := make([][]Violation, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				results[i], errs[i] = checkFile(ctx, l, req.Policy, jobs[i], filepath.Join(tmp, strconv.Itoa(i)))
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var vs []Violation
	for _, r := range results {
		vs = append(vs, r...)
	}
	return vs, nil
}

// checkFile checks one file's size and runs its linters. dir is a
// directory of its own for the temporary copy.
func checkFile(ctx context.Context, l look, p Policy, j fileJob, dir string) ([]Violation, error) {
	if len(j.rules) == 0 {
		out, err := l.run(ctx, "filesize", j.path)
		if err != nil {
			return nil, err
		}
		size, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("svnlook filesize %s printed %q, not a size", j.path, out)
		}
		return sizeViolation(p, j.path, size), nil
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	file := filepath.Join(dir, path.Base(j.path))
	size, binary, err := catTo(ctx, l, j.path, file)
	if err != nil {
		return nil, err
	}
	if vs := sizeViolation(p, j.path, size); vs != nil {
		return vs, nil
	}
	if binary {
		return nil, nil
	}
	var vs []Violation
	for _, r := range j.rules {
		cmdline := strings.Join(r.Command, " ")
		res, err := runLinter(ctx, r, file, j.path)
		switch {
		case errors.Is(err, errLintTimeout):
			vs = append(vs, Violation{Rule: RuleLint, Path: j.path,
				Message: fmt.Sprintf("%s could not be checked: %s did not finish in time (%v) and was stopped.", j.path, cmdline, err),
				Advice:  "The commit is rejected because the file was not checked. Try again; if it happens again, ask the repository's administrators to look at the linter."})
		case err != nil:
			vs = append(vs, Violation{Rule: RuleLint, Path: j.path,
				Message: fmt.Sprintf("%s could not be checked: %v.", j.path, err),
				Advice:  "The commit is rejected because the file was not checked. Ask the repository's administrators to fix the linter."})
		case !res.ok:
			vs = append(vs, Violation{Rule: RuleLint, Path: j.path, Line: lineOf(res.output, j.path),
				Message: fmt.Sprintf("%s found a problem in %s.", cmdline, j.path),
				Detail:  res.output,
				Advice:  fmt.Sprintf("Fix it (run %s %s in your working copy to see it again) and commit again.", cmdline, shellQuote(j.path))})
		}
	}
	return vs, nil
}

func sizeViolation(p Policy, repoPath string, size int64) []Violation {
	if p.MaxFileSize <= 0 || size <= p.MaxFileSize {
		return nil
	}
	return []Violation{{Rule: RuleSize, Path: repoPath,
		Message: fmt.Sprintf("%s is %s, larger than the %s this repository allows.", repoPath, humanBytes(size), humanBytes(p.MaxFileSize)),
		Advice:  "Keep large files out of the repository (store them elsewhere and commit a link or a script that fetches them)."}}
}

// catTo writes the content of repoPath in the transaction to file and
// returns its size and whether it looks binary. svnlook writes straight
// into the file.
func catTo(ctx context.Context, l look, repoPath, file string) (int64, bool, error) {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return 0, false, fmt.Errorf("creating a temporary copy of %s: %w", repoPath, err)
	}
	defer f.Close()
	if err := l.stream(ctx, f, nil, "cat", repoPath); err != nil {
		return 0, false, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, false, fmt.Errorf("reading the temporary copy of %s: %w", repoPath, err)
	}
	head := make([]byte, min(fi.Size(), binarySniff))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return 0, false, fmt.Errorf("reading the temporary copy of %s: %w", repoPath, err)
	}
	return fi.Size(), bytes.IndexByte(head, 0) >= 0, nil
}

// humanBytes writes a size the way people read it: 1.5 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
