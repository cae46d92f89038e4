import {
  to = local_file.motd
  id = "motd.txt"
}
