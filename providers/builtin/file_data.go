package builtin

import (
	"context"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// fileDataSource is the data source local_file: it reads a file that
// plumb does not manage.
type fileDataSource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
}

var _ providers.DataSource = (*fileDataSource)(nil)

func newFileDataSource(h *host.Slot) *fileDataSource {
	s := providers.Schema{
		Description: "Reads a file on the machine plumb runs on (or the provider's ssh host).",
		Attributes: map[string]*providers.Attribute{
			"filename": {
				Type: cty.String, Required: true,
				Description: "Path of the file. A relative path is relative to the directory plumb runs in (the configuration directory).",
			},
			"content": {
				Type: cty.String, Computed: true,
				Description: "The file's text.",
			},
			"content_sha256": {
				Type: cty.String, Computed: true,
				Description: "The hex SHA-256 of the file's content.",
			},
		},
	}
	return &fileDataSource{host: h, schema: s, null: cty.NullVal(s.ImpliedType())}
}

// Schema describes the local_file data source.
func (d *fileDataSource) Schema() providers.Schema { return d.schema }

// Read reads the file named in the configuration; a missing file is an
// error.
func (d *fileDataSource) Read(ctx context.Context, req providers.DataReadRequest) providers.DataReadResponse {
	name := req.Config.GetAttr("filename")
	if !name.IsKnown() || name.IsNull() || name.AsString() == "" {
		return providers.DataReadResponse{State: d.null, Diagnostics: providers.AttributeErrorf("filename",
			"local_file data source needs a filename", "Set filename to the path of the file to read.")}
	}
	data, _, err := readFile(ctx, d.host.Get(), name.AsString())
	if err != nil {
		return providers.DataReadResponse{State: d.null, Diagnostics: providers.AttributeErrorf("filename",
			"Cannot read file", "%v. Check the path (a relative path is relative to the configuration folder, where plumb runs) and that plumb may read the file.", err)}
	}
	return providers.DataReadResponse{State: cty.ObjectVal(map[string]cty.Value{
		"filename":       name,
		"content":        cty.StringVal(string(data)),
		"content_sha256": cty.StringVal(sha256Hex(data)),
	})}
}
