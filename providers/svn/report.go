package svn

import (
	"context"
	"fmt"
	"github.com/plumbhq/plumb/providers/host"
	"io"
	"strings"
)

// WriteViolations writes violations for the person committing: what is
// wrong, where (file and line), the linter's words, and what to do.
func WriteViolations(w io.Writer, vs []Violation) {
	fmt.Fprintln(w, "This commit breaks the repository's commit policy (checked by plumb):")
	for _, v := range vs {
		fmt.Fprintln(w)
		where := ""
		switch {
		case v.Path != "" && v.Line > 0:
			where = fmt.Sprintf("%s, line %d: ", v.Path, v.Line)
		case v.Path != "":
			where = v.Path + ": "
		}
		fmt.Fprintf(w, "  * %s%s\n", where, v.Message)
		if v.Detail != "" {
			for _, line := range strings.Split(v.Detail, "\n") {
				fmt.Fprintf(w, "      %s\n", line)
			}
		}
		if v.Advice != "" {
			fmt.Fprintf(w, "    %s\n", v.Advice)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Nothing was committed. Fix the above and commit again.")
}

// CheckCommitOptions are the arguments of plumb svn check-commit.
type CheckCommitOptions struct {
	// Repos is the repository path; Txn the transaction, or empty to
	// check Revision.
	Repos    string
	Txn      string
	Revision int
	// PolicyPath is the policy file; by default hooks/plumb-policy.json
	// in the repository.
	PolicyPath string
	// Svnlook is the svnlook program; "svnlook" when empty.
	Svnlook string
}

// RunCheckCommit is plumb svn check-commit: it checks the commit, writes
// the violations to stderr and returns the exit code, 0 when the commit
// satisfies the policy and 1 otherwise, including when it could not be
// checked (a pre-commit hook that cannot check lets nothing through).
func RunCheckCommit(ctx context.Context, o CheckCommitOptions, stdout, stderr io.Writer) int {
	what := "transaction " + o.Txn
	if o.Txn == "" {
		what = fmt.Sprintf("revision %d", o.Revision)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "plumb could not check %s of %s, so the commit is rejected:\n  %v\nAsk the repository's administrators to look at it.\n", what, o.Repos, err)
		return 1
	}
	if err := checkRepository(ctx, host.Local(), o.Repos); err != nil {
		return fail(err)
	}
	if o.PolicyPath == "" {
		o.PolicyPath = policyPath(o.Repos)
	}
	pf, err := ReadPolicyFile(o.PolicyPath)
	if err != nil {
		return fail(err)
	}
	vs, err := CheckCommit(ctx, CheckRequest{Repos: o.Repos, Txn: o.Txn, Revision: o.Revision, Policy: pf.Policy, Svnlook: o.Svnlook})
	if err != nil {
		return fail(err)
	}
	if len(vs) > 0 {
		WriteViolations(stderr, vs)
		return 1
	}
	fmt.Fprintf(stdout, "%s of %s satisfies the commit policy.\n", what, o.Repos)
	return 0
}
