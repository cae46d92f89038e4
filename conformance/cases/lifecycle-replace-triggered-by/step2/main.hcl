resource "plumb_data" "release" { input = "v2" }

resource "plumb_data" "app" {
  input = "app"
  lifecycle {
    replace_triggered_by = [plumb_data.release]
  }
}

resource "plumb_data" "sidecar" {
  for_each = toset(["a", "b"])
  input    = each.key == "a" ? "a2" : each.key
}

resource "plumb_data" "watcher" {
  for_each = toset(["a", "b"])
  input    = "watch ${each.key}"
  lifecycle {
    replace_triggered_by = [plumb_data.sidecar[each.key].output]
  }
}
