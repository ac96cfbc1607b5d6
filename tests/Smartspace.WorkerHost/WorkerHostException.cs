namespace Smartspace.WorkerHost;

/// <summary>
/// The worker or the protocol did not do what the host expected: an early exit, no connection, a
/// failed init/metadata/load, a timeout. The message carries the worker's captured output so a failing
/// test says why without a second run.
/// </summary>
public sealed class WorkerHostException : Exception
{
    public WorkerHostException(string message)
        : base(message)
    {
    }

    public WorkerHostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
