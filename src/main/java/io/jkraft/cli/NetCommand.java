package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.UserException;
import io.jkraft.machine.store.NetworkRecord;
import io.jkraft.net.NetworkService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** kraft's {@code net}: machine networks, each a Linux bridge with an IPv4 range. */
@Command(name = "net", aliases = "network", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Manage machine networks: a Linux bridge with an IPv4 range (kraft's `kraft net`).",
                "Changing them needs root or CAP_NET_ADMIN; machines join one with `run --network NAME[:IP]`."},
        subcommands = {NetCommand.Create.class, NetCommand.List.class, NetCommand.Inspect.class, NetCommand.Remove.class,
                NetCommand.Up.class, NetCommand.Down.class},
        footer = {"", "Examples:", "  sudo jkraft net create jk0 --network 172.30.9.1/24", "  jkraft net ls -o json",
                "  sudo jkraft run -d --network jk0:172.30.9.5 -p 8080:80 app/", "  sudo jkraft net rm jk0"})
public final class NetCommand extends JkraftCommand {
    @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The network driver: bridge (the only one).")
    String driver = "bridge";

    NetCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        throw new UserException("net needs a subcommand: create, ls, inspect, rm, up or down", "see `jkraft net --help`");
    }

    /** The service, after checking the driver the parent command was given. */
    static NetworkService service(CliContext context, NetCommand parent) {
        if (parent != null && !"bridge".equals(parent.driver)) {
            throw new UserException("unsupported network driver: " + parent.driver, "use bridge (the default)");
        }
        return context.networkService();
    }

    static Map<String, Object> json(NetworkService.Network n) {
        NetworkRecord r = n.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("driver", "bridge");
        m.put("bridge", r.bridge());
        m.put("network", r.gateway().range().toString());
        m.put("gateway", r.gateway().ip());
        m.put("netmask", io.jkraft.common.Ipv4Cidr.dotted(r.gateway().mask()));
        m.put("state", n.state().word());
        m.put("created", r.createdAt().toString());
        java.util.List<Map<String, Object>> leases = new ArrayList<>();
        for (NetworkRecord.Lease l : r.leases()) {
            Map<String, Object> lease = new LinkedHashMap<>();
            lease.put("ip", l.address().ip());
            lease.put("machine", l.machineName());
            lease.put("machineId", l.machineId());
            leases.add(lease);
        }
        m.put("machines", leases);
        return m;
    }

    abstract static class Sub extends JkraftCommand {
        @picocli.CommandLine.ParentCommand
        NetCommand parent;

        Sub(CliContext context) {
            super(context);
        }

        NetworkService service() {
            return NetCommand.service(context, parent);
        }
    }

    @Command(name = "create", aliases = "add", mixinStandardHelpOptions = true,
            description = "Create a network: a bridge with the range's address (a free /24 when none is given).")
    static final class Create extends Sub {
        @Parameters(index = "0", paramLabel = "NAME", description = "The network's name, also its bridge's (up to 15 characters).")
        String name;

        @Option(names = {"-n", "--network"}, paramLabel = "CIDR",
                description = "The bridge's address (the guests' gateway) and the prefix, e.g. 172.30.9.1/24.")
        String network;

        Create(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            service().create(name, network);
            terminal.out().println(name);
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List networks.")
    static final class List extends Sub {
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (or text) or json.")
        OutputFormat output = OutputFormat.text;

        @Option(names = {"-l", "--long"}, description = "Also the bridge and the machines on each network.")
        boolean long_;

        List(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() throws Exception {
            java.util.List<NetworkService.Network> networks = service().list();
            if (output == OutputFormat.json) {
                terminal.out().println(MachineJson.write(networks.stream().map(NetCommand::json).toList()));
            } else {
                java.util.List<String[]> rows = new ArrayList<>();
                // kraft's columns; NETWORK is the gateway with the prefix, as kraft writes it.
                rows.add(long_ ? new String[] {"NAME", "NETWORK", "DRIVER", "STATUS", "BRIDGE", "MACHINES"}
                        : new String[] {"NAME", "NETWORK", "DRIVER", "STATUS"});
                for (NetworkService.Network n : networks) {
                    NetworkRecord r = n.record();
                    String[] row = {r.name(), r.gateway().toString(), "bridge", n.state().word()};
                    rows.add(!long_ ? row : new String[] {row[0], row[1], row[2], row[3], r.bridge(),
                            String.join(", ", r.leases().stream().map(l -> l.machineName() + "=" + l.address().ip()).toList())});
                }
                table(rows);
            }
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }

        private void table(java.util.List<String[]> rows) {
            TextTable.print(terminal.out(), rows);
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a network as JSON.")
    static final class Inspect extends Sub {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Inspect(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() throws Exception {
            terminal.out().println(MachineJson.write(json(service().inspect(name))));
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "rm", aliases = {"remove", "delete", "del"}, mixinStandardHelpOptions = true,
            description = "Remove networks (their bridges); refused while a machine is on one.")
    static final class Remove extends Sub {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        java.util.List<String> names = new ArrayList<>();

        Remove(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            NetworkService service = service();
            for (String name : names) {
                service.remove(name);
                terminal.out().println(name);
            }
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Bring a network's bridge up (making it again, with its address, when it is missing).")
    static final class Up extends Sub {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Up(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            service().up(name);
            terminal.out().println(name);
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "down", aliases = "stop", mixinStandardHelpOptions = true,
            description = "Bring a network's bridge down; its machines stay, cut off until it is up again.")
    static final class Down extends Sub {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Down(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            service().down(name);
            terminal.out().println(name);
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }
}
