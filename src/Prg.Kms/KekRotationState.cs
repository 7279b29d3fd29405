// Where a KEK rotation sweep stands.
namespace Prg.Kms;

public enum KekRotationState
{
    /// <summary>No rotation has run since start-up and none was pending.</summary>
    Idle,

    /// <summary>Rewrapping every DEK under the new KEK.</summary>
    Running,

    /// <summary>Every DEK is wrapped under the current KEK; previous KEKs were dropped from memory.</summary>
    Completed,

    /// <summary>Some DEKs could not be rewrapped; the rotation stays pending and resumes at the next start or rotate_kek.</summary>
    Failed,
}
