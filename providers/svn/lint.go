package svn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxLintOutput bounds how much of a linter's output is kept.
const maxLintOutput = 16 << 10

// errLintTimeout is returned by runLinter for a linter stopped at its
// timeout.
var errLintTimeout = errors.New("linter timed out")

// lintResult is what one linter run found.
type lintResult struct {
	ok     bool   // the linter accepted the file
	output string // its output, temporary path replaced by the repository path
}

// runLinter runs rule's command on file, the content of repoPath written
// to a temporary file. A linter still running at the rule's timeout is
// killed with its whole process group. An error means the linter could
// not run or timed out (errLintTimeout); a non-zero exit is a result.
func runLinter(ctx context.Context, rule LintRule, file, repoPath string) (lintResult, error) {
	timeout, err := rule.timeout()
	if err != nil {
		return lintResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append(append([]string(nil), rule.Command[1:]...), file)
	cmd := exec.CommandContext(ctx, rule.Command[0], args...)
	cmd.Env = utf8Env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out := &capped{max: maxLintOutput}
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return lintResult{}, fmt.Errorf("%w after %s", errLintTimeout, timeout)
	}
	text := strings.TrimSpace(strings.ReplaceAll(out.String(), file, repoPath))
	var exit *exec.ExitError
	switch {
	case err == nil:
		return lintResult{ok: true, output: text}, nil
	case errors.As(err, &exit):
		return lintResult{output: text}, nil
	case errors.Is(err, exec.ErrNotFound):
		return lintResult{}, fmt.Errorf("the linter %s is not installed on the server: %w", rule.Command[0], err)
	}
	return lintResult{}, fmt.Errorf("running the linter %s: %w", rule.Command[0], err)
}

// lineNumberPatterns find the line a linter's message is about, most
// specific first.
var lineNumberPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\bon line (\d+)\b`),
	regexp.MustCompile(`(?i)\bline:? (\d+)\b`),
}

// lineOf returns the line number a linter's output names for repoPath,
// or 0.
func lineOf(output, repoPath string) int {
	pats := append([]*regexp.Regexp{regexp.MustCompile(regexp.QuoteMeta(repoPath) + `:(\d+)\b`)}, lineNumberPatterns...)
	for _, re := range pats {
		if m := re.FindStringSubmatch(output); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

// capped is a buffer that keeps the first max bytes written to it and
// notes that there was more.
type capped struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	if c.buf.Len()+len(p) > c.max {
		c.truncated = true
	}
	return len(p), nil
}

func (c *capped) String() string {
	if c.truncated {
		return c.buf.String() + "\n[output cut short]"
	}
	return c.buf.String()
}
