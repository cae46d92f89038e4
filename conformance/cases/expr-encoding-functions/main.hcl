locals {
  doc = { name = "www", ports = [80, 443], tls = true }
}

output "jsonencode" { value = jsonencode(local.doc) }
output "jsonencode_html" { value = jsonencode("<b>&</b>") }
output "jsondecode" { value = jsondecode("{\"a\": [1, \"x\", null]}") }
output "csvdecode" { value = csvdecode("name,port\nweb,80\ndb,5432\n") }
output "base64" { value = [base64encode("héllo"), base64decode("aMOpbGxv")] }
output "urlencode" { value = urlencode("a b&c=d/é") }
output "yamlencode" { value = yamlencode({ a = "b", list = [1, 2] }) }
output "yamldecode" { value = yamldecode("name: web\nports:\n  - 80\n  - 443\n") }
output "textencodebase64" { value = textencodebase64("Hi", "UTF-16LE") }
