package svn

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// BenchmarkCheckCommit1000PHP checks a commit of 1,000 PHP files with
// php -l, one of them broken: the bound is 30 s on 2 cores.
func BenchmarkCheckCommit1000PHP(b *testing.B) {
	svntest.Require(b, "svnadmin", "svnlook", "svn", "php")
	repo := svntest.NewRepo(b, "bench")
	src := filepath.Join(b.TempDir(), "src")
	for i := range 1000 {
		p := filepath.Join(src, fmt.Sprintf("dir%02d", i%20), fmt.Sprintf("page %d.php", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		content := fmt.Sprintf("<?php\n// page %d\nfunction page%d() { return %d; }\necho page%d();\n", i, i, i, i)
		if i == 500 {
			content = badPHP
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	svntest.Run(b, "", "svn", "import", "--quiet", "-m", "Import 1,000 pages", src, repo.URL()+"/trunk")
	req := CheckRequest{Repos: repo.Path, Revision: 1, Policy: Policy{MinMessageLength: 6, Lint: []LintRule{phpLint}}}
	for b.Loop() {
		vs, err := CheckCommit(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if len(vs) != 1 || vs[0].Path != "trunk/dir00/page 500.php" {
			b.Fatalf("want one violation for page 500:\n%s", report(vs))
		}
	}
}

// BenchmarkBackupThroughput backs up a synthetic repository (1 GiB by
// default; PLUMB_SVN_BENCH_MB sets another size) and reports the
// throughput of svnadmin dump > /dev/null alone and of the whole backup
// (dump, SHA-256, age, multipart upload), and their ratio: the issue asks
// for at least 0.5. The "sink" case uploads to an endpoint that discards
// the bytes, measuring plumb's pipeline; the "kumo" case uploads to the
// emulator, whose own work (MD5 and SHA-256 of every part, copies in
// memory) runs in the same process on the same cores.
func BenchmarkBackupThroughput(b *testing.B) {
	svntest.Require(b, "svnadmin", "svnlook")
	mb := 1024
	if s := os.Getenv("PLUMB_SVN_BENCH_MB"); s != "" {
		fmt.Sscan(s, &mb)
	}
	const fileMB = 64
	revs := max(1, mb/fileMB)
	repo := svntest.NewRepo(b, "throughput")
	repo.LoadSynthetic(b, revs, fileMB<<20, 7)
	uuid := strings.TrimSpace(svntest.Run(b, "", "svnlook", "uuid", repo.Path))
	id, _ := age.GenerateX25519Identity()
	emu := awstest.StartKumo(b)
	bucket := fmt.Sprintf("svn-bench-%d", time.Now().UnixNano())
	if _, err := emu.S3Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatal(err)
	}
	sink := newSinkS3(b)
	for _, target := range []struct{ name, endpoint string }{{"sink", sink.srv.URL}, {"kumo", emu.S3URL()}} {
		b.Run(target.name, func(b *testing.B) {
			c, err := NewS3Client(context.Background(), S3Settings{Region: awstest.Region, Endpoint: target.endpoint, AccessKey: awstest.AccessKeyID, SecretKey: awstest.SecretAccessKey})
			if err != nil {
				b.Fatal(err)
			}
			var dumpSecs, backupSecs float64
			var size int64
			n := 0
			for b.Loop() {
				n++
				start := time.Now()
				dump := exec.Command("svnadmin", "dump", "--quiet", repo.Path)
				dump.Stdout = io.Discard
				if err := dump.Run(); err != nil {
					b.Fatal(err)
				}
				dumpSecs += time.Since(start).Seconds()
				start = time.Now()
				info, err := runBackup(context.Background(), backupJob{repos: repo.Path, client: c, bucket: bucket, recipients: []age.Recipient{id.Recipient()},
					info: BackupInfo{Key: backupKey("t/", n, KindFull, 0, revs), Seq: n, Kind: KindFull, Last: revs, UUID: uuid, Created: start}})
				if err != nil {
					b.Fatal(err)
				}
				backupSecs += time.Since(start).Seconds()
				size = info.DumpSize
				c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(info.Key)})
			}
			dumpRate := float64(size) * float64(n) / dumpSecs / 1e6
			backupRate := float64(size) * float64(n) / backupSecs / 1e6
			b.ReportMetric(dumpRate, "dump-MB/s")
			b.ReportMetric(backupRate, "backup-MB/s")
			b.ReportMetric(backupRate/dumpRate, "ratio")
		})
	}
}

// BenchmarkBackupPlanUnchanged measures the plan of a backup with 30
// backups in state when none is due: the per-resource work of a large
// no-change plan (refresh aside).
func BenchmarkBackupPlanUnchanged(b *testing.B) {
	r := newBackupResource(&host.Slot{}, nil)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return now }
	id, _ := age.GenerateX25519Identity()
	config := r.schema.Complete(backupCfg("/srv/svn/site", "bucket", id, map[string]cty.Value{"incremental": cty.True}))
	var bs []BackupInfo
	for i := range 30 {
		kind, first := KindIncremental, i*10
		if i%7 == 0 {
			kind, first = KindFull, 0
		}
		bs = append(bs, BackupInfo{Key: backupKey("site/", i+1, kind, first, i*10+9), Seq: i + 1, Kind: kind, First: first, Last: i*10 + 9,
			Size: 1000, DumpSize: 2000, DumpSHA256: "abc", UUID: "u", Created: now.Add(time.Duration(i-30) * time.Hour)})
	}
	m := withComputedNull(backupDefaults(config))
	m["youngest_revision"], m["repository_uuid"], m["backups"] = cty.NumberIntVal(299), cty.StringVal("u"), backupsValue(bs)
	prior := cty.ObjectVal(m)
	req := providers.PlanRequest{Prior: prior, Config: config}
	if resp := r.Plan(context.Background(), req); resp.Diagnostics.HasErrors() || !resp.Planned.RawEquals(prior) {
		b.Fatalf("the plan is not a no-op: %v", resp.Diagnostics)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Plan(context.Background(), req)
	}
}
