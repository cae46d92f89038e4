locals {
  items = ["a", "b", "c"]
}

output "joined" {
  value = "%{for i, x in local.items}${x}%{if i < length(local.items) - 1}, %{endif}%{endfor}"
}

output "heredoc" {
  value = <<-EOT
    first
      indented
    last
    EOT
}

output "strip" { value = "x %{~if true~} y %{~endif~} z" }
output "escapes" { value = "$${literal} %%{literal}" }
output "interpolated" { value = "${upper("a")}-${1 + 2}-${local.items[1]}" }
output "plain_heredoc" {
  value = <<EOT
  kept
EOT
}
