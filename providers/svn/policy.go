package svn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/plumbhq/plumb/providers"
)

// File names inside a repository's hooks directory.
const (
	// HookFile is the hook Subversion runs before every commit.
	HookFile = "pre-commit"
	// PolicyFileName is the policy plumb writes beside the hook, which
	// plumb svn check-commit reads.
	PolicyFileName = "plumb-policy.json"
	// ChainedHookFile is where a hand-written pre-commit hook is moved
	// when chain_existing is set; plumb's hook runs it after its checks.
	ChainedHookFile = "pre-commit.chained"
)

// DefaultLintTimeout is how long one linter run may take by default
// before it is stopped and the commit rejected.
const DefaultLintTimeout = "30s"

// Policy is what a commit must satisfy. Its JSON form is the policy file.
type Policy struct {
	// MinMessageLength is the least number of characters the log message
	// must have, leading and trailing white space not counted; 0 allows
	// an empty message.
	MinMessageLength int `json:"min_message_length"`
	// MessagePattern, when set, is a regular expression (Go's RE2 syntax)
	// the log message must match somewhere.
	MessagePattern string `json:"message_pattern,omitempty"`
	// Lint runs linters on added and modified files.
	Lint []LintRule `json:"lint,omitempty"`
	// MaxFileSize, when above zero, is the largest file in bytes a commit
	// may add or modify.
	MaxFileSize int64 `json:"max_file_size,omitempty"`
	// ForbidPaths are globs of paths a commit may not add or modify.
	ForbidPaths []string `json:"forbid_paths,omitempty"`
}

// LintRule runs Command on every added or modified file whose path
// matches Pattern. The file's content from the transaction is written to
// a temporary file with the same base name, whose path is appended to
// Command; a non-zero exit rejects the commit with the linter's output.
type LintRule struct {
	Pattern string   `json:"pattern"`
	Command []string `json:"command"`
	// Timeout is a duration ("30s", providers.ParseDuration); a linter still running then is
	// killed and the commit rejected.
	Timeout string `json:"timeout"`
}

// Validate returns every problem with the policy, joined; nil when it is
// usable.
func (p Policy) Validate() error {
	var errs []error
	if p.MinMessageLength < 0 {
		errs = append(errs, fmt.Errorf("min_message_length is %d; give 0 or more characters", p.MinMessageLength))
	}
	if p.MessagePattern != "" {
		if _, err := regexp.Compile(p.MessagePattern); err != nil {
			errs = append(errs, fmt.Errorf("message_pattern %q is not a regular expression: %w", p.MessagePattern, err))
		}
	}
	if p.MaxFileSize < 0 {
		errs = append(errs, fmt.Errorf("max_file_size is %d; give a size in bytes above 0, or leave it out", p.MaxFileSize))
	}
	for _, g := range p.ForbidPaths {
		if err := checkGlob(g); err != nil {
			errs = append(errs, fmt.Errorf("forbid_paths: %w", err))
		}
	}
	for i, l := range p.Lint {
		if err := l.validate(); err != nil {
			errs = append(errs, fmt.Errorf("lint block %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

func (l LintRule) validate() error {
	var errs []error
	if err := checkGlob(l.Pattern); err != nil {
		errs = append(errs, fmt.Errorf("pattern: %w", err))
	}
	if len(l.Command) == 0 || l.Command[0] == "" {
		errs = append(errs, fmt.Errorf("command is empty; give the program and its arguments, such as [\"php\", \"-l\"]"))
	}
	if _, err := l.timeout(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// timeout parses Timeout; empty means DefaultLintTimeout.
func (l LintRule) timeout() (time.Duration, error) {
	s := l.Timeout
	if s == "" {
		s = DefaultLintTimeout
	}
	d, err := providers.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("timeout: %w", err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("timeout %q must be more than zero", s)
	}
	return d, nil
}

// PolicyFile is the content of hooks/plumb-policy.json: the policy and
// how the hook was installed, so that import and drift detection can
// rebuild the resource from the repository alone.
type PolicyFile struct {
	Comment string `json:"comment"`
	// Version is the file format's version, 1.
	Version int    `json:"version"`
	Policy  Policy `json:"policy"`
	// PlumbPath is the plumb binary the hook calls.
	PlumbPath string `json:"plumb_path"`
	// ChainExisting says the hook runs hooks/pre-commit.chained.
	ChainExisting bool `json:"chain_existing"`
}

const policyComment = "Written by plumb (svn_pre_commit_hook). Change the policy in plumb's configuration and run plumb apply; edits here show as drift and are overwritten."

// encodePolicyFile returns the bytes plumb writes as the policy file.
func encodePolicyFile(pf PolicyFile) []byte {
	pf.Comment, pf.Version = policyComment, 1
	b, err := json.MarshalIndent(pf, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("svn: encoding a policy file: %v", err)) // plain structs always encode
	}
	return append(b, '\n')
}

// ReadPolicyFile reads and checks a policy file.
func ReadPolicyFile(name string) (PolicyFile, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return PolicyFile{}, fmt.Errorf("reading the commit policy: %w", err)
	}
	return decodePolicyFile(name, b)
}

func decodePolicyFile(name string, b []byte) (PolicyFile, error) {
	var pf PolicyFile
	if err := json.Unmarshal(b, &pf); err != nil {
		return pf, fmt.Errorf("the commit policy %s is not valid JSON: %w", name, err)
	}
	if pf.Version != 1 {
		return pf, fmt.Errorf("the commit policy %s has version %d; this plumb reads version 1. Run plumb apply with this plumb to rewrite it", name, pf.Version)
	}
	if err := pf.Policy.Validate(); err != nil {
		return pf, fmt.Errorf("the commit policy %s is not usable: %w", name, err)
	}
	return pf, nil
}

// policyPath returns the policy file of a repository.
func policyPath(repos string) string { return filepath.Join(repos, "hooks", PolicyFileName) }
