namespace Hypervisor.Core.Scheduling
{
    /// <summary>
    /// One CPU's runnable vCPUs that are not running, highest priority first and in arrival order within
    /// a priority, so equal vCPUs take turns. A doubly linked list through the vCPUs themselves: no
    /// allocation when vCPUs come and go.
    /// </summary>
    public sealed class CreditRunQueue
    {
        public CreditVcpu First { get; private set; }
        public CreditVcpu Last { get; private set; }
        public int Count { get; private set; }

        /// <summary>Queues <paramref name="vcpu"/> behind every vCPU of its priority or higher, or, with
        /// <paramref name="aheadOfEqual"/>, in front of those of its own priority (a vCPU that keeps
        /// the rest of its time slice).</summary>
        public void Insert(CreditVcpu vcpu, bool aheadOfEqual)
        {
            CreditPriority priority = vcpu.Priority;
            CreditVcpu before = First;
            if (aheadOfEqual)
            {
                while (before != null && before.Priority > priority)
                    before = before.Next;
            }
            else
            {
                while (before != null && before.Priority >= priority)
                    before = before.Next;
            }
            InsertBefore(vcpu, before);
        }

        /// <summary>Queues a vCPU that yielded: behind every vCPU of its priority or higher and, as Xen's
        /// credit1 does, behind one of lower priority too if there is one (the next sort brings it
        /// forward again).</summary>
        public void InsertYielded(CreditVcpu vcpu)
        {
            CreditPriority priority = vcpu.Priority;
            CreditVcpu before = First;
            while (before != null && before.Priority >= priority)
                before = before.Next;
            if (before != null)
                before = before.Next;
            InsertBefore(vcpu, before);
        }

        public void Remove(CreditVcpu vcpu)
        {
            if (vcpu.Queue != this)
                return;
            if (vcpu.Previous != null)
                vcpu.Previous.Next = vcpu.Next;
            else
                First = vcpu.Next;
            if (vcpu.Next != null)
                vcpu.Next.Previous = vcpu.Previous;
            else
                Last = vcpu.Previous;
            vcpu.Next = null;
            vcpu.Previous = null;
            vcpu.Queue = null;
            Count--;
        }

        /// <summary>Puts the queue back in priority order after credits changed, keeping the order of
        /// vCPUs of equal priority.</summary>
        public void Sort()
        {
            CreditVcpu vcpu = First;
            First = null;
            Last = null;
            Count = 0;
            while (vcpu != null)
            {
                CreditVcpu next = vcpu.Next;
                vcpu.Next = null;
                vcpu.Previous = null;
                vcpu.Queue = null;
                Insert(vcpu, false);
                vcpu = next;
            }
        }

        private void InsertBefore(CreditVcpu vcpu, CreditVcpu before)
        {
            vcpu.Queue = this;
            vcpu.Next = before;
            if (before == null)
            {
                vcpu.Previous = Last;
                if (Last != null)
                    Last.Next = vcpu;
                else
                    First = vcpu;
                Last = vcpu;
            }
            else
            {
                vcpu.Previous = before.Previous;
                if (before.Previous != null)
                    before.Previous.Next = vcpu;
                else
                    First = vcpu;
                before.Previous = vcpu;
            }
            Count++;
        }
    }
}
