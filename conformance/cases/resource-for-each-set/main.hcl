resource "plumb_data" "zone" {
  for_each = toset(["example.org", "example.net", "example.org"])
  input    = each.key == each.value ? upper(each.value) : "mismatch"
}

output "zones" { value = sort([for z in plumb_data.zone : z.output]) }
