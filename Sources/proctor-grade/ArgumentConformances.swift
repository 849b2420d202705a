import ArgumentParser
import ExecCLI

// The argument types every command line shares are ExecCLI's (the small front parses them
// without ArgumentParser); here they become ArgumentParser's.
extension ByteSize: ExpressibleByArgument {}
extension TimeSpan: ExpressibleByArgument {}
extension FileMapping: ExpressibleByArgument {}
