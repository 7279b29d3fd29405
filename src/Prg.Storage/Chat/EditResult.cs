// Outcome of an optimistic message edit.
namespace Prg.Storage.Chat;

public enum EditStatus
{
    Ok = 0,
    /// <summary>No such live message in a live thread.</summary>
    NotFound = 1,
    /// <summary>The message's version is not the expected one; <see cref="EditResult.CurrentVersion"/> says what it is.</summary>
    Conflict = 2,
}

/// <summary>On <see cref="EditStatus.Ok"/>, <see cref="Message"/> is the new current version.</summary>
public readonly record struct EditResult(EditStatus Status, MessageRecord? Message, int CurrentVersion);
