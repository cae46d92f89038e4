output "md5" { value = md5("hello world") }
output "sha1" { value = sha1("hello world") }
output "sha256" { value = sha256("hello world") }
output "base64sha256" { value = base64sha256("hello world") }
output "uuidv5" { value = uuidv5("dns", "www.terraform.io") }
output "filesha256" { value = filesha256("payload.txt") }
output "filemd5" { value = filemd5("payload.txt") }
