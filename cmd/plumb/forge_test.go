package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// forge stands in for the few GitHub and GitLab REST endpoints the CI
// recipes' review script calls, keeping what a pull request would show:
// its comments, its labels and its commit statuses. It answers as the
// documented APIs do, and fails the test on any other request or a
// missing token.
type forge struct {
	t        *testing.T
	mu       sync.Mutex
	comments []forgeComment
	labels   []string
	statuses map[string]forgeStatus // by context (GitHub) or name (GitLab)
	nextID   int
	srv      *httptest.Server
}

type forgeComment struct {
	ID   int    `json:"id"`
	Body string `json:"body"`
	User struct {
		Type string `json:"type"`
	} `json:"user"`
}

type forgeStatus struct{ State, Description, URL string }

const forgeToken = "t0ken"

func newForge(t *testing.T) *forge {
	f := &forge{t: t, statuses: map[string]forgeStatus{}, nextID: 100}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

var (
	ghComments = regexp.MustCompile(`^/repos/acme/estate/issues/7/comments$`)
	ghComment  = regexp.MustCompile(`^/repos/acme/estate/issues/comments/(\d+)$`)
	ghLabels   = regexp.MustCompile(`^/repos/acme/estate/issues/7/labels(?:/(.+))?$`)
	ghStatus   = regexp.MustCompile(`^/repos/acme/estate/statuses/([0-9a-f]+)$`)
	glNotes    = regexp.MustCompile(`^/api/v4/projects/5/merge_requests/9/notes(?:/(\d+))?$`)
	glMR       = regexp.MustCompile(`^/api/v4/projects/5/merge_requests/9$`)
	glStatus   = regexp.MustCompile(`^/api/v4/projects/5/statuses/([0-9a-f]+)$`)
)

func (f *forge) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	path := r.URL.EscapedPath()
	github := strings.HasPrefix(path, "/repos/")
	if github && r.Header.Get("Authorization") != "Bearer "+forgeToken || !github && r.Header.Get("PRIVATE-TOKEN") != forgeToken {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	form := func() url.Values {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			f.t.Errorf("%s %s: form body %q: %v", r.Method, path, body, err)
		}
		return v
	}
	jsonBody := func(v any) {
		if err := json.Unmarshal(body, v); err != nil {
			f.t.Errorf("%s %s: JSON body %q: %v", r.Method, path, body, err)
		}
	}
	switch {
	case ghComments.MatchString(path) && r.Method == http.MethodGet:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, per = max(page, 1), max(min(per, 100), 1)
		lo, hi := min((page-1)*per, len(f.comments)), min(page*per, len(f.comments))
		writeJSON(w, append([]forgeComment{}, f.comments[lo:hi]...))
	case ghComments.MatchString(path) && r.Method == http.MethodPost:
		var in struct{ Body string }
		jsonBody(&in)
		writeJSON(w, f.add(in.Body))
	case ghComment.MatchString(path) && r.Method == http.MethodPatch:
		var in struct{ Body string }
		jsonBody(&in)
		id, _ := strconv.Atoi(ghComment.FindStringSubmatch(path)[1])
		f.edit(w, id, in.Body)
	case ghLabels.MatchString(path) && r.Method == http.MethodPost:
		var in struct{ Labels []string }
		jsonBody(&in)
		for _, l := range in.Labels {
			f.addLabel(l)
		}
		writeJSON(w, f.labels)
	case ghLabels.MatchString(path) && r.Method == http.MethodDelete:
		name, _ := url.PathUnescape(ghLabels.FindStringSubmatch(path)[1])
		if !slices.Contains(f.labels, name) {
			http.Error(w, `{"message":"Label does not exist"}`, http.StatusNotFound)
			return
		}
		f.labels = slices.DeleteFunc(f.labels, func(l string) bool { return l == name })
		writeJSON(w, f.labels)
	case ghStatus.MatchString(path) && r.Method == http.MethodPost:
		var in struct {
			State       string `json:"state"`
			Description string `json:"description"`
			Context     string `json:"context"`
			TargetURL   string `json:"target_url"`
		}
		jsonBody(&in)
		if len(in.Description) > 140 || !slices.Contains([]string{"success", "failure", "error", "pending"}, in.State) {
			http.Error(w, `{"message":"Validation Failed"}`, http.StatusUnprocessableEntity)
			return
		}
		f.statuses[in.Context] = forgeStatus{in.State, in.Description, in.TargetURL}
		writeJSON(w, in)
	case glNotes.MatchString(path) && r.Method == http.MethodGet:
		notes := append([]forgeComment{}, f.comments...)
		slices.Reverse(notes) // newest first, as sort=desc asks
		writeJSON(w, notes)
	case glNotes.MatchString(path) && r.Method == http.MethodPost:
		writeJSON(w, f.add(form().Get("body")))
	case glNotes.MatchString(path) && r.Method == http.MethodPut:
		id, _ := strconv.Atoi(glNotes.FindStringSubmatch(path)[1])
		f.edit(w, id, form().Get("body"))
	case glMR.MatchString(path) && r.Method == http.MethodPut:
		v := form()
		for _, l := range strings.Split(v.Get("add_labels"), ",") {
			if l != "" {
				f.addLabel(l)
			}
		}
		for _, l := range strings.Split(v.Get("remove_labels"), ",") {
			f.labels = slices.DeleteFunc(f.labels, func(x string) bool { return x == l })
		}
		writeJSON(w, map[string]any{"labels": f.labels})
	case glStatus.MatchString(path) && r.Method == http.MethodPost:
		v := form()
		if !slices.Contains([]string{"pending", "running", "success", "failed", "canceled"}, v.Get("state")) {
			http.Error(w, `{"message":"state is invalid"}`, http.StatusBadRequest)
			return
		}
		f.statuses[v.Get("name")] = forgeStatus{v.Get("state"), v.Get("description"), v.Get("target_url")}
		writeJSON(w, v)
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

func (f *forge) add(body string) forgeComment {
	f.nextID++
	c := forgeComment{ID: f.nextID, Body: body}
	c.User.Type = "Bot"
	f.comments = append(f.comments, c)
	return c
}

func (f *forge) edit(w http.ResponseWriter, id int, body string) {
	for i := range f.comments {
		if f.comments[i].ID == id {
			f.comments[i].Body = body
			writeJSON(w, f.comments[i])
			return
		}
	}
	http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
}

func (f *forge) addLabel(l string) {
	if !slices.Contains(f.labels, l) {
		f.labels = append(f.labels, l)
		slices.Sort(f.labels)
	}
}

// snapshot returns the comments, the labels and the statuses.
func (f *forge) snapshot() ([]forgeComment, []string, map[string]forgeStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := map[string]forgeStatus{}
	for k, v := range f.statuses {
		st[k] = v
	}
	return slices.Clone(f.comments), slices.Clone(f.labels), st
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
