resource "local_file" "legacy" {
  filename = "legacy.txt"
  content  = "keep me\n"
}

resource "plumb_data" "scratch" { input = "x" }
