package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/plumbhq/plumb/providers/svn"
)

// runSVN is plumb svn: the commands Subversion hooks and administrators
// run. check-commit is what hooks/pre-commit calls; restore and verify
// read back the backups svn_offsite_backup makes.
func runSVN(a *app, args []string) int {
	if len(args) == 0 {
		svnUsage(a)
		return exitError
	}
	switch args[0] {
	case "check-commit":
		return runSVNCheckCommit(a, args[1:])
	case "restore":
		return runSVNRestore(a, args[1:], false)
	case "verify":
		return runSVNRestore(a, args[1:], true)
	case "-h", "-help", "--help", "help":
		svnUsage(a)
		return exitOK
	}
	fmt.Fprintf(a.stderr, "plumb svn: unknown command %q.\n\n", args[0])
	svnUsage(a)
	return exitError
}

func svnUsage(a *app) {
	fmt.Fprint(a.stderr, `Usage: plumb svn COMMAND [options]

  check-commit  Check a commit against the policy beside the repository's hook:
                plumb svn check-commit [-policy FILE] REPOS TXN
                plumb svn check-commit [-policy FILE] -r REV REPOS
  restore       Restore a backup into a new repository:
                plumb svn restore -bucket B (-key K | -prefix P) -identity KEYFILE REPO_PATH
  verify        Restore a backup into a temporary repository and run svnadmin verify:
                plumb svn verify -bucket B (-key K | -prefix P) -identity KEYFILE

Run plumb svn COMMAND -h for a command's options.
`)
}

// runSVNCheckCommit is plumb svn check-commit.
func runSVNCheckCommit(a *app, args []string) int {
	fs := newFlagSet(a, "svn check-commit", "svn check-commit [-policy FILE] REPOS TXN | -r REV REPOS")
	policy := fs.String("policy", "", "the commit policy `FILE` (default REPOS/hooks/"+svn.PolicyFileName+")")
	rev := fs.Int("r", -1, "check the committed revision `REV` instead of a transaction (to try a policy)")
	if !parse(fs, args) {
		return exitError
	}
	o := svn.CheckCommitOptions{PolicyPath: *policy, Revision: *rev}
	switch {
	case *rev >= 0 && fs.NArg() == 1:
		o.Repos = fs.Arg(0)
	case *rev < 0 && fs.NArg() == 2:
		o.Repos, o.Txn = fs.Arg(0), fs.Arg(1)
	default:
		return a.errorf("usage: plumb svn check-commit REPOS TXN (as a pre-commit hook calls it), or plumb svn check-commit -r REV REPOS")
	}
	return svn.RunCheckCommit(context.Background(), o, a.stdout, a.stderr)
}

// runSVNRestore is plumb svn restore, and plumb svn verify when verify is
// set.
func runSVNRestore(a *app, args []string, verify bool) int {
	name, usage := "svn restore", "svn restore -bucket B (-key K | -prefix P) -identity KEYFILE [S3 options] REPO_PATH"
	if verify {
		name, usage = "svn verify", "svn verify -bucket B (-key K | -prefix P) -identity KEYFILE [S3 options]"
	}
	fs := newFlagSet(a, name, usage)
	bucket := fs.String("bucket", "", "the S3 `BUCKET` holding the backups")
	key := fs.String("key", "", "the backup's object `KEY`; an incremental brings its full backup and the ones between")
	prefix := fs.String("prefix", "", "restore the newest complete backup under `PREFIX` (instead of -key)")
	identity := fs.String("identity", "", "age private key `FILE` (as age-keygen writes it)")
	var s3 s3Flags
	s3.register(fs)
	if !parse(fs, args) {
		return exitError
	}
	wantArgs := 1
	if verify {
		wantArgs = 0
	}
	switch {
	case fs.NArg() != wantArgs:
		return a.errorf("usage: plumb %s", usage)
	case *bucket == "":
		return a.errorf("-bucket is required: the S3 bucket that holds the backups")
	case (*key == "") == (*prefix == ""):
		return a.errorf("give either -key (one backup) or -prefix (the newest backup under it)")
	case *identity == "":
		return a.errorf("-identity is required: the age private key file that matches one of the backup's recipients")
	}
	ids, err := svn.ReadIdentities(*identity)
	if err != nil {
		return a.errorf("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := svn.NewS3Client(ctx, s3.settings())
	if err != nil {
		return a.errorf("%v", err)
	}
	o := svn.RestoreOptions{Client: client, Bucket: *bucket, Key: *key, Prefix: *prefix, Identities: ids, Target: fs.Arg(0), Log: a.stdout}
	if verify {
		res, err := svn.Verify(ctx, o)
		if err != nil {
			return a.errorf("verify failed: %v", err)
		}
		fmt.Fprintf(a.stdout, "The backup verifies: %d backups load into a repository up to r%d (UUID %s), and svnadmin verify finds no fault.\n", len(res.Backups), res.Youngest, res.UUID)
		return exitOK
	}
	res, err := svn.Restore(ctx, o)
	if err != nil {
		return a.errorf("restore failed: %v", err)
	}
	fmt.Fprintf(a.stdout, "Restored %s: %d backups, up to r%d (UUID %s).\n", o.Target, len(res.Backups), res.Youngest, res.UUID)
	return exitOK
}

// s3Flags are the S3 options of restore and verify; what they leave out
// comes from the AWS SDK's standard chain (AWS_REGION, AWS_ENDPOINT_URL,
// AWS_PROFILE, the shared files).
type s3Flags struct {
	region, endpoint, profile string
	pathStyle                 bool
	retries                   string
}

func (f *s3Flags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.region, "region", "", "AWS `REGION` of the bucket")
	fs.StringVar(&f.endpoint, "endpoint", "", "S3 endpoint `URL`, for S3-compatible stores")
	fs.StringVar(&f.profile, "profile", "", "AWS shared config `PROFILE`")
	fs.BoolVar(&f.pathStyle, "path-style", false, "address the bucket in the path (on with -endpoint)")
	fs.StringVar(&f.retries, "max-retries", "", "retry failed S3 requests `N` times (default 5)")
}

func (f *s3Flags) settings() svn.S3Settings {
	s := svn.S3Settings{Region: f.region, Endpoint: f.endpoint, Profile: f.profile, PathStyle: f.pathStyle, MaxRetries: -1}
	if n, err := strconv.Atoi(f.retries); err == nil && n >= 0 {
		s.MaxRetries = n
	}
	return s
}
