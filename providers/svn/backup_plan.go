package svn

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Plan proposes the backups after this run: a new one (with its key and
// revision range) when the repository's youngest revision changed since
// the newest backup or the interval passed, and without the backups past
// retention. A new resource reads the repository to learn its youngest
// revision. Deleting the resource is refused unless force_destroy is set.
func (r *backupResource) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		if f := req.Prior.GetAttr("force_destroy"); f.IsNull() || !f.True() {
			return providers.PlanResponse{Planned: r.null, Diagnostics: refuseDestroy(req.Prior)}
		}
		return providers.PlanResponse{Planned: r.null}
	}
	if !req.Prior.IsNull() && unchangedBackup(req.Prior, req.Config, r.now()) {
		return providers.PlanResponse{Planned: req.Prior}
	}
	if diags := r.ValidateConfig(ctx, req.Config); diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	m := backupDefaults(req.Config)
	var replace []string
	if !req.Prior.IsNull() {
		for _, name := range []string{"repository", "bucket", "prefix"} {
			if !sameValue(req.Prior.GetAttr(name), m[name]) {
				replace = append(replace, name)
			}
		}
	}
	partial := cty.ObjectVal(m)
	if !partial.IsWhollyKnown() {
		m["youngest_revision"], m["repository_uuid"] = cty.UnknownVal(cty.Number), cty.UnknownVal(cty.String)
		m["backups"] = cty.UnknownVal(cty.List(backupElemType))
		return providers.PlanResponse{Planned: cty.ObjectVal(m), RequiresReplace: replace}
	}
	s := decodeBackup(cty.ObjectVal(withComputedNull(m)))
	var existing []BackupInfo
	var youngest int
	var uuid string
	if req.Prior.IsNull() || len(replace) > 0 {
		info, err := repositoryInfo(ctx, r.host.Get(), s.repos)
		if err != nil {
			return providers.PlanResponse{Planned: r.null, Diagnostics: providers.AttributeErrorf("repository",
				"Cannot read the repository to back up", "%v.", err)}
		}
		youngest, uuid = info.youngest, info.uuid
	} else {
		youngest, uuid = intAttr(req.Prior, "youngest_revision"), req.Prior.GetAttr("repository_uuid").AsString()
		existing = backupsFromValue(req.Prior.GetAttr("backups"))
	}
	next, deletes := schedule(s, existing, youngest, uuid, r.now())
	var kept []cty.Value
	for _, b := range existing {
		if !deletes[b.Key] {
			kept = append(kept, b.value())
		}
	}
	if next != nil {
		kept = append(kept, next.plannedValue())
	}
	m["youngest_revision"], m["repository_uuid"] = cty.NumberIntVal(int64(youngest)), cty.StringVal(uuid)
	m["backups"] = cty.ListValEmpty(backupElemType)
	if len(kept) > 0 {
		m["backups"] = cty.ListVal(kept)
	}
	planned := cty.ObjectVal(m)
	if !req.Prior.IsNull() && len(replace) == 0 && planned.RawEquals(req.Prior) {
		planned = req.Prior
	}
	return providers.PlanResponse{Planned: planned, RequiresReplace: replace}
}

// refuseDestroy is the error of a delete without force_destroy.
func refuseDestroy(prior cty.Value) hcl.Diagnostics {
	return providers.Errorf("Refusing to delete offsite backups",
		"%s holds %d backups. Deleting svn_offsite_backup deletes them from S3; if that is what you want, set force_destroy = true and apply first. To stop managing them but keep them, remove the resource from state (plumb state rm).",
		prior.GetAttr("id").AsString(), len(backupsFromValue(prior.GetAttr("backups"))))
}

// backupDefaults returns the configuration's attributes with defaults and
// id filled in; the live attributes are left for the caller.
func backupDefaults(config cty.Value) map[string]cty.Value {
	m := config.AsValueMap()
	if m["prefix"].IsNull() && m["repository"].IsKnown() {
		m["prefix"] = cty.StringVal(defaultPrefix(m["repository"].AsString()))
	}
	if m["interval"].IsNull() {
		m["interval"] = cty.StringVal(DefaultInterval)
	}
	if m["incremental"].IsNull() {
		m["incremental"] = cty.False
	}
	if m["full_every"].IsNull() {
		m["full_every"] = cty.NumberIntVal(DefaultFullEvery)
	}
	if b, p := m["bucket"], m["prefix"]; b.IsKnown() && p.IsKnown() {
		m["id"] = cty.StringVal("s3://" + b.AsString() + "/" + p.AsString())
	} else {
		m["id"] = cty.UnknownVal(cty.String)
	}
	return m
}

// withComputedNull fills the live attributes with nulls so the map makes
// a value of the resource's type for decodeBackup.
func withComputedNull(m map[string]cty.Value) map[string]cty.Value {
	out := make(map[string]cty.Value, len(m)+3)
	for k, v := range m {
		out[k] = v
	}
	out["youngest_revision"] = cty.NullVal(cty.Number)
	out["repository_uuid"] = cty.NullVal(cty.String)
	out["backups"] = cty.NullVal(cty.List(backupElemType))
	return out
}

// schedule decides the next backup, if one is due, and the backups to
// delete. A backup is due when there is none, the newest covers another
// youngest revision or repository, or the interval has passed since it
// started. It is incremental when asked for, there are new revisions of
// the same repository, and the newest full backup has fewer than
// fullEvery backups in its chain. Retention counts the new backup as the
// newest; a chain (a full backup and the incrementals after it) is deleted
// only when all of it is past retention and it is not the newest chain,
// and backups that never completed are deleted.
func schedule(s backupSettings, existing []BackupInfo, youngest int, uuid string, now time.Time) (*BackupInfo, map[string]bool) {
	deletes := map[string]bool{}
	var complete []BackupInfo
	maxSeq := 0
	for _, b := range existing {
		maxSeq = max(maxSeq, b.Seq)
		if b.Complete() {
			complete = append(complete, b)
		} else {
			deletes[b.Key] = true
		}
	}
	var next *BackupInfo
	var newest *BackupInfo
	if len(complete) > 0 {
		newest = &complete[len(complete)-1]
	}
	if newest == nil || youngest != newest.Last || uuid != newest.UUID || now.Sub(newest.Created) >= s.interval {
		b := BackupInfo{Seq: maxSeq + 1, Kind: KindFull, First: 0, Last: youngest, UUID: uuid, Created: now}
		if s.incremental && newest != nil && youngest > newest.Last && uuid == newest.UUID && chainLen(complete) < s.fullEvery {
			b.Kind, b.First = KindIncremental, newest.Last+1
		}
		b.Key = backupKey(s.prefix, b.Seq, b.Kind, b.First, b.Last)
		next = &b
		complete = append(complete, b)
	}
	chains := splitChains(complete)
	for _, chain := range chains[:max(0, len(chains)-1)] {
		all := true
		for _, b := range chain {
			idx := indexFromNewest(complete, b.Key)
			keepByAge := s.keepAge == 0 || now.Sub(b.Created) <= s.keepAge
			keepByCount := s.keepCount == 0 || idx < s.keepCount
			if keepByAge && keepByCount {
				all = false
				break
			}
		}
		if all {
			for _, b := range chain {
				deletes[b.Key] = true
			}
		}
	}
	return next, deletes
}

// chainLen is the number of backups in the newest chain of complete.
func chainLen(complete []BackupInfo) int {
	chains := splitChains(complete)
	if len(chains) == 0 {
		return 0
	}
	return len(chains[len(chains)-1])
}

// splitChains groups backups, oldest first, into restorable chains: a
// full backup and the incrementals that continue it revision by revision.
// An incremental that continues nothing forms a chain of its own.
func splitChains(bs []BackupInfo) [][]BackupInfo {
	var chains [][]BackupInfo
	for _, b := range bs {
		n := len(chains)
		if b.Kind == KindIncremental && n > 0 {
			last := chains[n-1][len(chains[n-1])-1]
			if last.Last+1 == b.First && last.UUID == b.UUID {
				chains[n-1] = append(chains[n-1], b)
				continue
			}
		}
		chains = append(chains, []BackupInfo{b})
	}
	return chains
}

func indexFromNewest(bs []BackupInfo, key string) int {
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i].Key == key {
			return len(bs) - 1 - i
		}
	}
	return len(bs)
}

// repoInfo is what plumb reads of a repository before backing it up.
type repoInfo struct {
	youngest int
	uuid     string
}

// repositoryInfo reads the youngest revision and the UUID of the
// repository on h.
func repositoryInfo(ctx context.Context, h host.Host, repos string) (repoInfo, error) {
	if err := checkRepository(ctx, h, repos); err != nil {
		return repoInfo{}, err
	}
	l := look{h: h, bin: "svnlook", repos: repos}
	y, err := l.run(ctx, "youngest")
	if err != nil {
		return repoInfo{}, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(y)))
	if err != nil {
		return repoInfo{}, err
	}
	u, err := l.run(ctx, "uuid")
	if err != nil {
		return repoInfo{}, err
	}
	return repoInfo{youngest: n, uuid: strings.TrimSpace(string(u))}, nil
}

// unchangedBackup reports, cheaply, whether config asks for what prior
// describes and nothing is due: no new backup (the newest is complete,
// covers the youngest revision of the same repository and is younger
// than the interval) and nothing to delete (every backup is complete and
// the oldest chain is not wholly past retention; newer chains are then
// not either). It is the common case of a large plan, decided without
// decoding the list of backups.
func unchangedBackup(prior, config cty.Value, now time.Time) bool {
	for _, name := range []string{"repository", "bucket", "recipients", "local_dir", "local_retention", "force_destroy", "remote_retention"} {
		if !sameValue(prior.GetAttr(name), config.GetAttr(name)) {
			return false
		}
	}
	repo := config.GetAttr("repository")
	if !repo.IsKnown() || repo.IsNull() ||
		!sameOrDefault(prior, config, "prefix", cty.StringVal(defaultPrefix(repo.AsString()))) ||
		!sameOrDefault(prior, config, "interval", defaultIntervalVal) ||
		!sameOrDefault(prior, config, "incremental", cty.False) ||
		!sameOrDefault(prior, config, "full_every", defaultFullEveryVal) {
		return false
	}
	bs := prior.GetAttr("backups")
	if bs.IsNull() || !bs.IsKnown() || bs.LengthInt() == 0 {
		return false
	}
	n := bs.LengthInt()
	elems := make([]cty.Value, 0, n)
	for it := bs.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if sha := e.GetAttr("dump_sha256"); sha.IsNull() || sha.AsString() == "" {
			return false
		}
		elems = append(elems, e)
	}
	newest := elems[n-1]
	interval, _ := providers.ParseDuration(prior.GetAttr("interval").AsString())
	created, err := time.Parse(time.RFC3339, newest.GetAttr("created").AsString())
	if err != nil || now.Sub(created) >= interval ||
		!sameValue(newest.GetAttr("last_revision"), prior.GetAttr("youngest_revision")) ||
		!sameValue(newest.GetAttr("repository_uuid"), prior.GetAttr("repository_uuid")) {
		return false
	}
	rr := prior.GetAttr("remote_retention")
	if rr.IsNull() {
		return true
	}
	var chain []BackupInfo
	for _, e := range elems {
		b := backupsFromValue(cty.ListVal([]cty.Value{e}))[0]
		if len(chain) > 0 && (b.Kind != KindIncremental || chain[len(chain)-1].Last+1 != b.First || chain[len(chain)-1].UUID != b.UUID) {
			break
		}
		chain = append(chain, b)
	}
	if len(chain) == n {
		return true // one chain: the newest, always kept
	}
	s := backupSettings{}
	if a := rr.GetAttr("age"); !a.IsNull() {
		s.keepAge, _ = providers.ParseDuration(a.AsString())
	}
	s.keepCount = intAttr(rr, "count")
	for i, b := range chain {
		idx := n - 1 - i
		if (s.keepAge == 0 || now.Sub(b.Created) <= s.keepAge) && (s.keepCount == 0 || idx < s.keepCount) {
			return true
		}
	}
	return false
}

// Defaults as values, made once.
var (
	defaultIntervalVal  = cty.StringVal(DefaultInterval)
	defaultFullEveryVal = cty.NumberIntVal(DefaultFullEvery)
)
