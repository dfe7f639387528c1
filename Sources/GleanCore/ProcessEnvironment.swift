import Foundation

/// The process's environment variables, read once: Glean never changes its own environment,
/// and reading it (`ProcessInfo.processInfo.environment` copies every variable into a new
/// dictionary) was asked for by every model and cache lookup of a run's start.
///
/// ```swift
/// ProcessEnvironment.variables["GLEAN_MODELS"]   // "/opt/glean/Models", or nil
/// ```
public enum ProcessEnvironment {
    /// The environment as it was at the first use.
    public static let variables: [String: String] = ProcessInfo.processInfo.environment
}
