# hosts for ${upper(site)}
%{ for i, host in hosts ~}
${format("%-8s", host)} ${cidrhost(net, i + 10)}
%{ endfor ~}
