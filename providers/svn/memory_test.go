package svn

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers/host"
	"github.com/plumbhq/plumb/providers/providertest"
)

// backupChildEnv, set to a JSON childJob, makes the test binary run one
// backup and report, so a test can measure the memory of the process
// doing the work apart from kumo's, which holds the uploaded bytes.
const backupChildEnv = "PLUMB_SVN_TEST_BACKUP_CHILD"

type childJob struct {
	Endpoint, Bucket, Key, Repos, Recipient, UUID string
	Last                                          int
	// SSH, when set, reaches the repository over SSH.
	SSH *host.Settings
}

type childReport struct {
	DumpSize   int64
	DumpSHA256 string
	PeakRSSKiB int64 // VmHWM of the child
	Seconds    float64
	Err        string
}

func backupChild(spec string) int {
	var j childJob
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		fmt.Println(err)
		return 2
	}
	rep := childReport{}
	start := time.Now()
	c, err := NewS3Client(context.Background(), S3Settings{Region: awstest.Region, Endpoint: j.Endpoint,
		AccessKey: awstest.AccessKeyID, SecretKey: awstest.SecretAccessKey, MaxRetries: 1})
	if err == nil {
		var rcp age.Recipient
		rcp, err = parseRecipient(j.Recipient)
		if err == nil {
			var info BackupInfo
			h := host.Local()
			if j.SSH != nil {
				h, err = host.Dial(context.Background(), *j.SSH)
				if err != nil {
					fmt.Println(err)
					return 2
				}
				defer h.Close()
			}
			info, err = runBackup(context.Background(), backupJob{host: h, repos: j.Repos, client: c, bucket: j.Bucket, recipients: []age.Recipient{rcp},
				info: BackupInfo{Key: j.Key, Seq: 1, Kind: KindFull, First: 0, Last: j.Last, UUID: j.UUID, Created: start}})
			rep.DumpSize, rep.DumpSHA256 = info.DumpSize, info.DumpSHA256
		}
	}
	if err != nil {
		rep.Err = err.Error()
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.PeakRSSKiB = vmHWM()
	json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

// vmHWM is the process's peak resident set in KiB, from /proc.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// TestBackupBoundedMemory backs up a repository of about 300 MB in a
// child process and requires its peak resident memory to stay under
// 100 MB; the dump's hash must match svnadmin dump's own output. It does
// so locally and, as root, over SSH (the dump streaming from sshd), where
// the budget is 150 MB: the SSH library allocates every 32 KB packet it
// receives, and the garbage collector's headroom over that garbage is the
// difference (it does not grow with the dump).
func TestBackupBoundedMemory(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook")
	const revs, size = 6, 50 << 20
	start := time.Now()
	repo := svntest.NewRepo(t, "big")
	repo.LoadSynthetic(t, revs, size, 42)
	t.Logf("made a repository of %d MB in %v", revs*size>>20, time.Since(start).Round(time.Millisecond))
	env := newS3Env(t)
	id := newIdentity(t)
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		job := childJob{Endpoint: env.emu.S3URL(), Bucket: env.bucket, Key: "big/" + tr.Name + "/000001-full-r0-6.svndump.age", Repos: repo.Path,
			Recipient: id.Recipient().String(), UUID: repo.UUID(t), Last: revs}
		if tr.Server != nil {
			s := tr.Server.Settings()
			job.SSH = &s
		}
		budget := int64(100 * 1000)
		if tr.Server != nil {
			budget = 150 * 1000
		}
		t.Run(tr.Name, func(t *testing.T) { backupInChild(t, job, repo, revs, size, budget) })
	}
	t.Logf("the test took %v", time.Since(start).Round(time.Millisecond))
}

// backupInChild runs job in a child process and checks its memory and
// the dump's hash.
func backupInChild(t *testing.T, job childJob, repo *svntest.Repo, revs, size int, budgetKiB int64) {
	spec, _ := json.Marshal(job)
	exe, _ := os.Executable()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), backupChildEnv+"="+string(spec))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("backup child: %v\n%s", err, out)
	}
	var rep childReport
	if err := json.Unmarshal(out, &rep); err != nil || rep.Err != "" {
		t.Fatalf("backup child: %v %s\n%s", err, rep.Err, out)
	}
	// The child's VmHWM is plumb's own peak; wait4's rusage also covers
	// the svnadmin it ran, whose memory is not plumb's to bound, so it is
	// only logged.
	maxrss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	t.Logf("backed up %d MB in %.1f s (%.0f MB/s); peak RSS %d KiB (VmHWM), %d KiB (rusage, with what it ran)", rep.DumpSize>>20, rep.Seconds,
		float64(rep.DumpSize)/rep.Seconds/1e6, rep.PeakRSSKiB, maxrss)
	if rep.PeakRSSKiB <= 0 || rep.PeakRSSKiB > budgetKiB {
		t.Errorf("plumb's peak RSS %d KiB, want under %d MB", rep.PeakRSSKiB, budgetKiB/1000)
	}
	if rep.DumpSize < int64(revs*size) {
		t.Errorf("dump of %d bytes, want more than %d", rep.DumpSize, revs*size)
	}
	dump := exec.Command("svnadmin", "dump", "--quiet", "-r", "0:6", repo.Path)
	pipe, _ := dump.StdoutPipe()
	dump.Start()
	h := sha256.New()
	io.Copy(h, pipe)
	dump.Wait()
	if got := hex.EncodeToString(h.Sum(nil)); got != rep.DumpSHA256 {
		t.Errorf("the backup's dump SHA-256 %s differs from svnadmin dump's %s", rep.DumpSHA256, got)
	}
}
