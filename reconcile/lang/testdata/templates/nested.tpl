${templatefile("hosts.tpl", {})}
